import RaftCore
import KV
import Collections
import ClusterModel

/// One simulated server: its process state (a KVServer driving a RaftNode) and its disk.
public final class SimNode {
    public let id: NodeID
    /// The running process, nil while crashed.
    public internal(set) var server: KVServer?
    public internal(set) var disk = SimDisk()
    public internal(set) var state: NodeState = .up
    /// Bumped at every restart; ticks of a dead incarnation are ignored.
    public internal(set) var incarnation = 0
    /// Input that reached a paused process, delivered on resume.
    var inbox = Deque<SimCluster.Event>()
    /// This incarnation's `RaftStats.snapshotsSent` already added to `SimStats`.
    var snapshotsSentCounted = 0
    /// With `SimConfig.diskLatency`: this incarnation's writes with its background writer and the
    /// messages waiting for them; the writes handed over and not yet started; whether a batch is
    /// being written.
    var writes = WritePipeline<Message>()
    var writeQueue: [StorageWrite] = []
    var writing = false
    /// Draws this incarnation's write times.
    var diskRNG = SeededRandom(seed: 0, stream: "disk")

    /// Started empty to join a running cluster (`SimCluster.addNode`): it has no configuration of its
    /// own and learns it from the leader, also after a restart.
    public internal(set) var joined = false
    /// Removed from the cluster and stopped; it is never restarted.
    public internal(set) var removed = false

    init(id: NodeID, joined: Bool = false) {
        self.id = id
        self.joined = joined
    }

    public var raft: RaftNode? { server?.raft }
    public var isUp: Bool { state != .down }
}
