import ClusterModel
import RaftCore

/// `remove node NODE`: take a node out of the cluster.
public struct RemoveNodeCommand: ScenarioCommand {
    /// The row of `remove node`.
    public static let specs = [
        CommandSpec(
            name: "remove node",
            synopsis: "remove node NODE",
            summary: "Have the leader remove NODE (a voter or a learner; `leader` removes the leader, which steps down once the change commits); the cluster stops the node once the removal commits. One change at a time.",
            example: "remove node 3",
            category: .membership),
    ]

    /// The node.
    public var node: NodeSelector

    /// A `remove node` line.
    public init(node: NodeSelector) { self.node = node }

    /// Reads `node NODE`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        try p.expect(word: "node")
        node = try p.parseSelector("NODE", single: true).selector
    }

    /// `remove node 3`.
    public var sourceText: String { "remove node \(node.sourceText)" }

    /// Asks the cluster; prints what the leader does.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.capability((any MembershipControl).self, for: "remove node")
        for id in try x.resolve(node) {
            do {
                x.output(try c.removeNode(id) + x.stamp())
            } catch let error as ClusterError {
                throw x.failure(error.message)
            }
        }
    }
}
