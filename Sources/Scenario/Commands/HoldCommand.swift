import RaftCore
import ClusterModel

/// `hold [KIND] NODES -> NODES`: queue messages (of one kind, or every kind) on the links instead
/// of delivering them, until `release` or `drop held`.
public struct HoldCommand: ScenarioCommand {
    /// The row of `hold`.
    public static let specs = [
        CommandSpec(
            name: "hold",
            synopsis: "hold [KIND] NODES -> NODES",
            summary: "Queue the messages on the links (of one KIND, or all) instead of delivering them, until release or drop held; messages in flight are held when they arrive. KIND: \(Message.Kind.allCases.map(\.word).joined(separator: ", ")).",
            example: "hold append 1 -> 2,3",
            keywords: Message.Kind.allCases.map(\.word),
            category: .messages),
    ]

    /// The kind held, or nil for every kind.
    public var kind: Message.Kind?
    /// The links.
    public var link: Link

    /// A `hold` line.
    public init(kind: Message.Kind? = nil, link: Link) {
        self.kind = kind
        self.link = link
    }

    /// Reads an optional kind, then `NODES -> NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        kind = try p.parseOptionalMessageKind()
        link = try p.parseLink()
    }

    /// `hold append 1 -> 2`.
    public var sourceText: String { "hold " + (kind.map { $0.word + " " } ?? "") + link.sourceText }

    /// Starts holding on every pair of distinct nodes the link names.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.messageControl("hold")
        let links = try x.resolveLink(link).map { ClusterModel.Link($0.0, $0.1) }
        c.hold(links, kinds: kind.map { [$0] })
        let what = kind.map { "\($0.word) messages" } ?? "every message"
        x.output("holding \(what) on \(FaultText.links(links))" + x.stamp())
    }
}

extension LineParser {
    /// A message kind word (`append`, `vote`, ...) if one comes next.
    mutating func parseOptionalMessageKind() throws(ParseError) -> Message.Kind? {
        guard let word = peekWord(), let kind = Message.Kind(word: word) else { return nil }
        position += 1
        return kind
    }
}
