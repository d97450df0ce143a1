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
            summary: "Queue the messages on the links (of one KIND, or all) instead of delivering them, until release or drop held; messages in flight are held when they arrive. KIND: \(Message.Kind.allCases.map(\.word).joined(separator: ", ")); on an exec cluster, a message's Maelstrom body type in quotes (\"append_entries\") or one of those words.",
            example: "hold append 1 -> 2,3",
            keywords: Message.Kind.allCases.map(\.word),
            category: .messages),
    ]

    /// The kind held (a Raft kind word, or a foreign node's message type), or nil for every kind.
    public var kind: String?
    /// The links.
    public var link: Link

    /// A `hold` line.
    public init(kind: String? = nil, link: Link) {
        self.kind = kind
        self.link = link
    }

    /// Reads an optional kind, then `NODES -> NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        kind = try p.parseOptionalMessageKind()
        link = try p.parseLink()
    }

    /// `hold append 1 -> 2`.
    public var sourceText: String {
        "hold " + (kind.map { (Message.Kind(word: $0) != nil ? $0 : Literals.quoted($0)) + " " } ?? "") + link.sourceText
    }

    /// Starts holding on every pair of distinct nodes the link names.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.messageControl("hold")
        let links = try x.resolveLink(link).map { ClusterModel.Link($0.0, $0.1) }
        try c.hold(links, kinds: kind.map { [$0] })
        let what = kind.map { "\($0) messages" } ?? "every message"
        x.output("holding \(what) on \(FaultText.links(links))" + x.stamp())
    }
}

extension LineParser {
    /// A message kind if one comes next: a Raft kind word (`append`, `vote`, ...) or a quoted
    /// Maelstrom message type (`"append_entries"`, for exec clusters).
    mutating func parseOptionalMessageKind() throws(ParseError) -> String? {
        if let token = peek, case .string(let type) = token.kind {
            guard !type.isEmpty else {
                throw failure("a message type in quotes cannot be empty", at: token.location, expected: "a message type")
            }
            position += 1
            return type
        }
        guard let word = peekWord(), Message.Kind(word: word) != nil else { return nil }
        position += 1
        return word
    }
}
