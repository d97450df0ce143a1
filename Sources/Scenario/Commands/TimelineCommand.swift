import Foundation
import ClusterModel

/// `timeline FILE.html [messages]`: write the run so far as one self-contained HTML page.
public struct TimelineCommand: ScenarioCommand {
    /// The row of `timeline`.
    public static let specs = [
        CommandSpec(
            name: "timeline",
            synopsis: "timeline FILE [messages]",
            summary: "Write the run so far as one self-contained HTML page (inline SVG): a lane per node coloured by role with terms, crashes, restarts, pauses, cuts, client operations by outcome; with messages, the message arrows shown from the start (when recorded: always at the prompt).",
            example: "timeline run.html",
            keywords: ["messages"],
            category: .inspection),
    ]

    /// Where to write.
    public var file: String
    /// Show message arrows from the start.
    public var messages: Bool

    /// A `timeline` line.
    public init(file: String, messages: Bool = false) {
        self.file = file
        self.messages = messages
    }

    /// Reads the file name, bare or quoted, and an optional `messages`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        file = try p.parseFileName(example: "run.html")
        messages = p.accept(word: "messages")
        if !messages { p.trailing = ["'messages'"] }
    }

    /// `timeline FILE [messages]`.
    public var sourceText: String { "timeline " + Literals.quoteIfNeeded(file) + (messages ? " messages" : "") }

    /// Writes the page.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.capability((any TimelineRecording).self, for: "timeline")
        let t = c.timeline
        try TimelineHTML.render(t, showMessages: messages).write(toFile: file, atomically: true, encoding: .utf8)
        var note = ""
        if messages && !t.messagesRecorded { note = " (messages were not recorded in this run)" }
        x.output("wrote \(file): \(t.nodes.count) lanes, \(t.operations.count) operations" +
                 (t.messagesRecorded ? ", \(t.messages.count) messages" : "") + note + x.stamp())
    }
}
