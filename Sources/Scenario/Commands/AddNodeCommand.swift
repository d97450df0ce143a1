import ClusterModel
import RaftCore

/// `add node N [as learner]`: start an empty node and add it to the cluster.
public struct AddNodeCommand: ScenarioCommand {
    /// The row of `add node`.
    public static let specs = [
        CommandSpec(
            name: "add node",
            synopsis: "add node N [as learner]",
            summary: "Start node N (the next new id), empty, and have the leader add it as a learner; it catches up (by snapshot when the log was compacted) and the cluster promotes it to voter once it holds the leader's commit index. `as learner` leaves it a learner (`promote N` later). One change at a time: fails while an earlier change is not committed, or before a new leader committed an entry of its term.",
            example: "add node 6",
            category: .membership),
    ]

    /// The new node's id.
    public var node: Int
    /// Whether it stays a learner.
    public var asLearner: Bool

    /// An `add node` line.
    public init(node: Int, asLearner: Bool = false) {
        self.node = node
        self.asLearner = asLearner
    }

    /// Reads `node N [as learner]`; later lines may name node N.
    public init(parsing p: inout LineParser) throws(ParseError) {
        try p.expect(word: "node")
        node = try p.parseInteger("N", in: 1...64)
        asLearner = false
        if p.accept(word: "as") {
            try p.expect(word: "learner")
            asLearner = true
        }
        p.nodeCount = max(p.nodeCount, node)
    }

    /// `add node 6`, `add node 6 as learner`.
    public var sourceText: String { "add node \(node)" + (asLearner ? " as learner" : "") }

    /// Asks the cluster; prints what the leader does.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.capability((any MembershipControl).self, for: "add node")
        do {
            x.output(try c.addNode(NodeID(node), asLearner: asLearner) + x.stamp())
        } catch let error as ClusterError {
            throw x.failure(error.message)
        }
    }
}
