import RaftCore

/// Whether a node's process runs.
public enum NodeState: String, Sendable, Hashable, CaseIterable {
    /// Running.
    case up
    /// Crashed (or killed); only what it persisted remains.
    case down
    /// Frozen (SIGSTOP, or a paused simulated node): alive but doing nothing.
    case paused
}

/// One node as a status table shows it. Fields a cluster cannot know are nil (a node that is down
/// has no role; a foreign node tells nothing of its Raft state).
public struct NodeStatus: Sendable, Hashable {
    public var id: NodeID
    public var state: NodeState
    /// The node's role, nil when down or unknown.
    public var role: Role?
    public var term: Term
    /// The leader as this node knows it (0 if none).
    public var leader: NodeID
    public var commit: LogIndex
    public var applied: LogIndex
    public var lastIndex: LogIndex
    /// Partition group (1-based) or nil when there is no partition; 0 when isolated.
    public var group: Int?
    /// The first index the node's log holds (one past its snapshot), nil when unknown.
    public var firstIndex: LogIndex?
    /// The index of the node's latest snapshot (0: none), nil when unknown.
    public var snapshotIndex: LogIndex?
    /// What the cluster counted of the node's traffic, where it sees it (exec clusters route every
    /// message); nil elsewhere.
    public var counters: NodeCounters?
    /// The configuration in force as the node sees it, where the cluster can read it; nil elsewhere.
    public var membership: Membership?
    /// Whether the node was removed from the cluster (and stopped).
    public var removed = false

    public init(_ id: NodeID, state: NodeState, role: Role?, term: Term, leader: NodeID, commit: LogIndex,
                applied: LogIndex, lastIndex: LogIndex, group: Int?, firstIndex: LogIndex? = nil,
                snapshotIndex: LogIndex? = nil) {
        self.id = id
        self.state = state
        self.role = role
        self.term = term
        self.leader = leader
        self.commit = commit
        self.applied = applied
        self.lastIndex = lastIndex
        self.group = group
        self.firstIndex = firstIndex
        self.snapshotIndex = snapshotIndex
    }
}

/// A node's traffic as the cluster counted it.
public struct NodeCounters: Sendable, Hashable {
    /// Messages it sent to other nodes, and messages delivered to it.
    public var sent: Int
    public var received: Int
    /// Its messages lost to cuts, loss or a crashed receiver.
    public var dropped: Int
    /// Output that was not a valid message (malformed, to an unknown destination, a reply to nothing).
    public var malformed: Int

    public init(sent: Int, received: Int, dropped: Int, malformed: Int) {
        self.sent = sent
        self.received = received
        self.dropped = dropped
        self.malformed = malformed
    }
}
