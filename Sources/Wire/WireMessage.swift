import RaftCore
import KV

/// Everything that travels in one UDP datagram between nodes, clients and the shell.
public enum WireMessage: Sendable, Hashable {
    /// Raft traffic between cluster members.
    case raft(Message)
    /// A client operation (to any node; non-leaders answer `notLeader`).
    case clientRequest(ClientRequest)
    /// The answer to a client operation.
    case clientReply(ClientReply)
    /// A control command from the shell; accepted only with the right cluster key.
    case control(ControlRequest, id: UInt64, key: [UInt8])
    /// The answer to a control command, echoing its id.
    case controlReply(ControlReply, id: UInt64)
}

/// Commands the shell sends to a node's transport and runtime (faults are applied by the node's
/// own transport, on what it sends and receives).
public enum ControlRequest: Sendable, Hashable {
    /// Report the node's state.
    case status
    /// Drop every message to and from these peers (replaces the current cut).
    case cut(peers: [NodeID])
    /// Drop messages this node sends to these peers (one-way; added to the current blocks).
    case blockOutgoing(to: [NodeID])
    /// Loss and duplication (parts per million) and extra delay (nanoseconds) on what this node
    /// sends, to one peer or (`peer` 0) to all.
    case setFaults(peer: NodeID, lossPPM: UInt32, duplicatePPM: UInt32, delayMinNanos: UInt64, delayMaxNanos: UInt64)
    /// Remove every cut, block and fault.
    case heal
    /// The value of a key in this node's state machine (applied state, not a linearizable read).
    case localGet(key: String)
    /// The last `count` entries of the log (at most what fits in a datagram).
    case logTail(count: UInt32)
}

/// A node's answer to a control command.
public enum ControlReply: Sendable, Hashable {
    case ok
    case status(NodeReport)
    case localValue(String?)
    case log([Entry])
    case error(String)
}

/// A node's state as reported to the shell.
public struct NodeReport: Sendable, Hashable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var leader: NodeID
    public var commit: LogIndex
    public var applied: LogIndex
    public var lastIndex: LogIndex
    public var lastTerm: Term
    /// `KVStore.digest` of the applied state.
    public var digest: UInt64
    /// Datagrams dropped as malformed, and as coming from strangers without a valid key.
    public var droppedMalformed: UInt64
    public var droppedUnknown: UInt64

    public init(id: NodeID, role: Role, term: Term, leader: NodeID, commit: LogIndex, applied: LogIndex,
                lastIndex: LogIndex, lastTerm: Term, digest: UInt64, droppedMalformed: UInt64, droppedUnknown: UInt64) {
        self.id = id
        self.role = role
        self.term = term
        self.leader = leader
        self.commit = commit
        self.applied = applied
        self.lastIndex = lastIndex
        self.lastTerm = lastTerm
        self.digest = digest
        self.droppedMalformed = droppedMalformed
        self.droppedUnknown = droppedUnknown
    }
}
