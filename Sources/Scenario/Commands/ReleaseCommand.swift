import RaftCore
import ClusterModel

/// `release [NODES -> NODES]`: stop holding on the links (every link holding, when none is named)
/// and deliver what they held, in order.
public struct ReleaseCommand: ScenarioCommand {
    /// The row of `release`.
    public static let specs = [
        CommandSpec(
            name: "release",
            synopsis: "release [NODES -> NODES]",
            summary: "Stop holding on the links (every link, when none is named) and deliver what they held, each link's messages in the order they arrived.",
            example: "release 1 -> 2",
            category: .messages),
    ]

    /// The links, or nil for every link that holds.
    public var link: Link?

    /// A `release` line.
    public init(link: Link? = nil) {
        self.link = link
    }

    /// Reads an optional `NODES -> NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        link = p.atEnd ? nil : try p.parseLink()
    }

    /// `release 1 -> 2`.
    public var sourceText: String { "release" + (link.map { " " + $0.sourceText } ?? "") }

    /// Delivers what was held and prints each message.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.messageControl("release")
        let links = try x.heldLinks(link, on: c)
        let delivered = c.release(links)
        x.output(HeldText.summary(delivered, verb: "released", links: links) + x.stamp())
    }
}

extension ExecutionContext {
    /// The links `link` names, or every link that holds or has messages held when nil.
    func heldLinks(_ link: Link?, on c: any MessageControl) throws -> [ClusterModel.Link] {
        if let link { return try resolveLink(link).map { ClusterModel.Link($0.0, $0.1) } }
        var links = Set(c.holds.map(\.link))
        for m in c.heldMessages(on: nil) { links.insert(ClusterModel.Link(m.from, m.to)) }
        return links.sorted()
    }
}
