/// `help [TOPIC]`: the list of commands, or the detail of one.
public struct HelpCommand: ScenarioCommand {
    /// The row of `help`.
    public static let specs = [
        CommandSpec(
            name: "help",
            synopsis: "help [COMMAND]",
            summary: "List the commands, or describe one; COMMAND --help is the same as help COMMAND. Also: help selectors, durations, conditions, leader, faults, defaults.",
            example: "help expect",
            category: .inspection),
    ]

    /// The topic words joined by one space, or nil for the list.
    public var topic: String?

    /// A `help` line.
    public init(topic: String? = nil) {
        self.topic = topic
    }

    /// Reads the topic words; the topic must be one of `Help.topics`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        var words: [String] = []
        var start: SourceLocation?
        while let token = p.next() {
            guard case .word(let word) = token.kind else {
                throw p.failure("expected a command name, found \(LineParser.describe(token))", at: token.location, expected: p.synopsis)
            }
            if start == nil { start = token.location }
            words.append(word)
        }
        guard let start else {
            topic = nil
            return
        }
        let topic = words.joined(separator: " ")
        guard Help.topics.contains(topic) else {
            throw p.failure("no help for '\(topic)'" + Suggestions.hint(for: topic, among: Help.topics), at: start,
                            expected: "a command name, or " + Help.extraTopics.joined(separator: ", ") + "; type 'help' for the list")
        }
        self.topic = topic
    }

    /// `help` or `help TOPIC`.
    public var sourceText: String { topic.map { "help " + $0 } ?? "help" }

    /// Prints the overview or the topic's text.
    public func execute(in x: ExecutionContext) throws {
        guard let topic else {
            x.output(Help.overview())
            return
        }
        guard let text = Help.text(for: topic) else { throw x.failure("no help for '\(topic)'; type `help` for the list") }
        x.output(text)
    }
}
