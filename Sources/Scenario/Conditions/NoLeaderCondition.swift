import ClusterModel

/// `no leader [in NODES]`: no node (of NODES) is leader.
public struct NoLeaderCondition: ScenarioCondition {
    /// The row of `expect no leader`.
    public static let spec = CommandSpec(
        name: "expect no leader",
        synopsis: "expect no leader [in NODES]",
        summary: "There is no leader that counts (among NODES), as expect leader counts one: a leader cut off from a quorum does not count; check its role to see it step down.",
        example: "expect no leader in 1,2",
        keywords: ["leader", "in"],
        category: .assertions)

    /// The nodes none of which may lead, or nil for all.
    public var nodes: NodeSelector?

    /// A `no leader` condition.
    public init(in nodes: NodeSelector? = nil) {
        self.nodes = nodes
    }

    /// Reads `leader [in NODES]`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        try p.expect(word: "leader")
        if p.accept(word: "in") {
            nodes = try p.parseSelector("NODES after 'in'").selector
        } else {
            p.trailing = ["'in'"]
            nodes = nil
        }
    }

    /// `no leader`, `no leader in 1,2`.
    public var sourceText: String { nodes.map { "no leader in " + $0.sourceText } ?? "no leader" }

    /// Whether no leader that counts (see `LeaderCondition`) leads (among the nodes); seen:
    /// `no leader`, `leader 4, term 1`, or why the leader there does not count.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("no leader")
        let ids = try nodes.map { try x.resolve($0) }
        let seen = LeaderText.seen(c)
        guard let l = seen.counted else { return (true, seen.text) }
        if let ids { return (!ids.contains(l), seen.text) }
        return (false, seen.text)
    }
}
