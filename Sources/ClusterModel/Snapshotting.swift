import RaftCore

/// Nodes take snapshots of their state machine and compact their logs (simulated and udp
/// clusters): on demand, and every `snapshotEvery` applied entries.
public protocol Snapshotting: Cluster {
    /// Every node takes a snapshot every this many applied entries; nil: only when asked.
    var snapshotEvery: LogIndex? { get }
    /// Makes node `id` take a snapshot now (compacting its log up to what it applied); returns its
    /// index. Throws when the node is down or applied nothing since its latest snapshot.
    func takeSnapshot(_ id: NodeID) throws(ClusterError) -> LogIndex
    /// What the cluster counted of snapshots so far (nil fields: not known on this kind of cluster).
    var snapshotCounts: SnapshotCounts { get }
}

/// Snapshots taken, sent and installed in a run, for `report`.
public struct SnapshotCounts: Sendable, Hashable {
    /// Snapshots nodes took of their own state machine.
    public var taken: Int?
    /// Snapshots leaders sent whole to followers, in how many chunks, with how many bytes of data.
    public var sent: Int?
    public var chunks: Int?
    public var bytes: Int?
    /// Snapshots followers installed from a leader.
    public var installed: Int?

    public init(taken: Int? = nil, sent: Int? = nil, chunks: Int? = nil, bytes: Int? = nil, installed: Int? = nil) {
        self.taken = taken
        self.sent = sent
        self.chunks = chunks
        self.bytes = bytes
        self.installed = installed
    }
}
