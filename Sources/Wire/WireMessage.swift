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
    /// Take a snapshot of the applied state now and compact the log up to it, unless nothing was
    /// applied since the latest one (answered `snapshotTaken` with the latest snapshot's index, once stored).
    case snapshot
    /// Node `node` can be reached at `address` (`HOST:PORT`): added to (or replaced in) this node's
    /// address book. Addresses are not part of the Raft configuration; see docs/architecture.md.
    case setPeer(node: NodeID, address: String)
}

/// A node's answer to a control command.
public enum ControlReply: Sendable, Hashable {
    case ok
    case status(NodeReport)
    case localValue(String?)
    case log([Entry])
    case error(String)
    /// The node took a snapshot at this index (the answer to `snapshot`).
    case snapshotTaken(index: LogIndex)
}

/// A node's state as reported to the shell: the answer to a `status` probe.
///
/// Besides what a status table shows, it carries what an invariant checker needs to compare
/// nodes without reading their logs: the chained hash of the log at the commit index and at the
/// last index (`h(i) = FNV-1a(h(i-1), term(i), kind(i), data(i))`, `h(offset) = FNV-1a(offset,
/// offsetTerm)`, so two nodes' logs agree up to `i` exactly when their `h(i)` are equal), the
/// applied state's digest with the index it was taken at, the process's incarnation (a random id
/// drawn at start, so monotonic checks restart with the process) and the transport's counters.
public struct NodeReport: Sendable, Hashable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var leader: NodeID
    public var commit: LogIndex
    public var applied: LogIndex
    public var lastIndex: LogIndex
    public var lastTerm: Term
    /// `KVStore.digest` of the applied state, taken at `applied`.
    public var digest: UInt64
    /// Datagrams dropped as malformed, and as coming from strangers without a valid key.
    public var droppedMalformed: UInt64
    public var droppedUnknown: UInt64
    /// The node this node voted for in `term` (0: none).
    public var vote: NodeID
    /// The first index the log holds (1 unless compacted).
    public var firstIndex: LogIndex
    /// The term of the entry at `commit` (0 when `commit` is 0).
    public var commitTerm: Term
    /// The chained log hash at `commit`, and at `lastIndex`.
    public var commitHash: UInt64
    public var lastHash: UInt64
    /// A random id drawn when the node's process (or in-process daemon) started.
    public var incarnation: UInt64
    /// Raft messages the core asked to send, Raft messages received from members and given to
    /// the core, and Raft messages dropped by the node's own transport faults (either direction).
    public var raftSent: UInt64
    public var raftReceived: UInt64
    public var droppedByFaults: UInt64
    /// Snapshots this incarnation took of its own state machine, sent whole to followers (as
    /// leader), and installed from a leader (the core's `RaftStats`).
    public var snapshotsTaken: UInt64
    public var snapshotsSent: UInt64
    public var snapshotsInstalled: UInt64
    /// The configuration in force as this node sees it (empty: a joining node that has not heard
    /// from a leader yet), the index of the latest configuration entry of its log (0: none since
    /// its snapshot; the configuration is pending while this is above `commit`), and the node a
    /// transfer under way hands leadership to (0: none).
    public var membership: Membership = .none
    public var latestChangeIndex: LogIndex = 0
    public var transferee: NodeID = noNode
    /// Syncs of the node's storage this incarnation (`NodeStorage.fsyncCount`: a direct synchronous
    /// write of the log counts as one; 0 when the node runs without fsync): what `bench udp`
    /// divides by the puts of a load to report durable writes per put.
    public var logSyncs: UInt64 = 0

    public init(id: NodeID, role: Role, term: Term, leader: NodeID, commit: LogIndex, applied: LogIndex,
                lastIndex: LogIndex, lastTerm: Term, digest: UInt64, droppedMalformed: UInt64, droppedUnknown: UInt64,
                vote: NodeID = noNode, firstIndex: LogIndex = 1, commitTerm: Term = 0, commitHash: UInt64 = 0,
                lastHash: UInt64 = 0, incarnation: UInt64 = 0, raftSent: UInt64 = 0, raftReceived: UInt64 = 0,
                droppedByFaults: UInt64 = 0, snapshotsTaken: UInt64 = 0, snapshotsSent: UInt64 = 0,
                snapshotsInstalled: UInt64 = 0) {
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
        self.vote = vote
        self.firstIndex = firstIndex
        self.commitTerm = commitTerm
        self.commitHash = commitHash
        self.lastHash = lastHash
        self.incarnation = incarnation
        self.raftSent = raftSent
        self.raftReceived = raftReceived
        self.droppedByFaults = droppedByFaults
        self.snapshotsTaken = snapshotsTaken
        self.snapshotsSent = snapshotsSent
        self.snapshotsInstalled = snapshotsInstalled
    }
}

extension NodeReport {
    /// This report with the membership fields set.
    public func withMembership(_ membership: Membership, latestChangeIndex: LogIndex, transferee: NodeID) -> NodeReport {
        var r = self
        r.membership = membership
        r.latestChangeIndex = latestChangeIndex
        r.transferee = transferee
        return r
    }

    /// Whether the configuration in force here is not committed yet as far as this node knows.
    public var changePending: Bool { latestChangeIndex > commit }
}
