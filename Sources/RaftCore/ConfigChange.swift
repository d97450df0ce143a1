/// One single-server membership change (thesis §4.1): raftsh changes one voter at a time, and
/// refuses a change of several voters at once (joint consensus), see `RaftNode.proposeMembership(_:)`.
public enum ConfigChange: Sendable, Hashable, CustomStringConvertible {
    /// Add a node that receives the log but does not vote (so that it catches up first).
    case addLearner(NodeID)
    /// Add a node as a voter, or promote a learner to voter.
    case addVoter(NodeID)
    /// Remove a voter or a learner.
    case remove(NodeID)

    /// The node the change is about.
    public var node: NodeID {
        switch self {
        case .addLearner(let n), .addVoter(let n), .remove(let n): return n
        }
    }

    public var description: String {
        switch self {
        case .addLearner(let n): return "add learner \(n)"
        case .addVoter(let n): return "add voter \(n)"
        case .remove(let n): return "remove \(n)"
        }
    }
}
