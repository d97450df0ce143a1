import RaftCore

/// A request to change who belongs to the cluster or who leads it, sent by a client like a
/// key-value operation (`ClientRequest.admin`) and answered by the leader: a membership change is
/// answered once the leader's core has appended it (with its index; it takes effect from there and
/// commits later), a transfer once the leader has started it. Nodes that do not lead answer
/// `notLeader` like for any request, so the client's redirect and retry rules
/// (`ClientStateMachine`) apply unchanged.
public enum AdminOperation: Sendable, Hashable {
    /// One single-server membership change (`RaftNode.proposeChange(_:)`).
    case change(ConfigChange)
    /// Hand leadership to the voter (`RaftNode.transferLeadership(to:)`).
    case transfer(to: NodeID)

    /// The node the request is about.
    public var node: NodeID {
        switch self {
        case .change(let c): return c.node
        case .transfer(let to): return to
        }
    }
}

extension AdminOperation: CustomStringConvertible {
    public var description: String {
        switch self {
        case .change(let c): return c.description
        case .transfer(let to): return "transfer leadership to \(to)"
        }
    }
}
