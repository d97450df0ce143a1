import RaftCore
import ClusterModel

/// `drop held [NODES -> NODES]`: stop holding on the links (every link holding, when none is
/// named) and discard what they held.
public struct DropHeldCommand: ScenarioCommand {
    /// The row of `drop held`.
    public static let specs = [
        CommandSpec(
            name: "drop held",
            synopsis: "drop held [NODES -> NODES]",
            summary: "Stop holding on the links (every link, when none is named) and discard what they held.",
            example: "drop held 1 -> 2",
            category: .messages),
    ]

    /// The links, or nil for every link that holds.
    public var link: Link?

    /// A `drop held` line.
    public init(link: Link? = nil) {
        self.link = link
    }

    /// Reads `held` and an optional `NODES -> NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        try p.expect(word: "held")
        link = p.atEnd ? nil : try p.parseLink()
    }

    /// `drop held 1 -> 2`.
    public var sourceText: String { "drop held" + (link.map { " " + $0.sourceText } ?? "") }

    /// Discards what was held.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.messageControl("drop held")
        let links = try x.heldLinks(link, on: c)
        let dropped = c.dropHeld(links)
        x.output(HeldText.summary(dropped, verb: "dropped", links: links) + x.stamp())
    }
}
