import RaftCore
import KV
import Check
import ClusterModel

/// Virtual time in nanoseconds since the start of a simulated run.
public typealias SimTime = Timestamp

/// The shape of a simulated cluster. Defaults follow the Raft paper: election timeout
/// 150–300 ms, heartbeat 50 ms; links take 1–5 ms.
public struct SimConfig: Sendable, Hashable {
    public var nodes: Int = 5
    public var seed: UInt64 = 1
    public var electionTimeout: ClosedRange<SimTime> = .ms(150) ... .ms(300)
    public var heartbeat: SimTime = .ms(50)
    public var latency: ClosedRange<SimTime> = .ms(1) ... .ms(5)
    /// Length of one core tick. Timeouts are rounded to whole ticks.
    public var tick: SimTime = .ms(10)
    /// A client gives up on one server and tries another after this long without an answer.
    public var clientAttemptTimeout: SimTime = .ms(250)
    public var preVote = true
    public var checkQuorum = true
    /// Run the invariant checker after every step.
    public var checkInvariants = true
    /// Each node takes a snapshot, compacting its log, once this many entries have applied since
    /// its latest one; nil: never (unless asked, `SimCluster.takeSnapshot`).
    public var snapshotEvery: LogIndex?
    /// Client sessions expire after this many idle applied entries (`KVStore`).
    public var sessionTTL: LogIndex = KVStore.defaultSessionTTL
    /// One classic Raft mistake switched on in every node (`cluster 5 bug NAME`); nil: none.
    public var bug: KnownBug?
    /// How long a background storage write takes (`cluster 5 disk 1ms..5ms`). Set: nodes store the
    /// way `raftd` does (`RaftConfig.asyncStorageWrites`, `KV.WritePipeline`): a leader hands its
    /// writes to a writer that stores and syncs in batches (one batch at a time, each taking a time
    /// drawn from this range, everything handed over meanwhile in the next), and a crash loses the
    /// batch in progress and what waits. nil: every Ready is stored and synced at once.
    public var diskLatency: ClosedRange<SimTime>?

    public init(nodes: Int = 5, seed: UInt64 = 1) {
        self.nodes = nodes
        self.seed = seed
    }

    /// The node ids, 1...N.
    public var nodeIDs: [NodeID] { (0..<nodes).map { NodeID($0 + 1) } }

    /// Throws with a message naming the bad setting.
    public func validate() throws(ClusterError) {
        if nodes < 1 || nodes > ClusterLimits.maxNodes {
            throw ClusterError("a cluster has \(ClusterLimits.nodeRange) (got \(nodes))")
        }
        if tick == 0 { throw ClusterError("the tick must be longer than 0") }
        if heartbeat < tick {
            throw ClusterError("heartbeat \(TimeFormat.duration(heartbeat)) is shorter than one tick (\(TimeFormat.duration(tick)))")
        }
        if electionTimeout.lowerBound <= heartbeat {
            throw ClusterError("election timeout \(TimeFormat.duration(electionTimeout.lowerBound)) must be above the heartbeat \(TimeFormat.duration(heartbeat))")
        }
        if latency.upperBound > .s(60) { throw ClusterError("latency above 60s is not supported") }
        if let d = diskLatency, d.upperBound > .s(60) { throw ClusterError("disk latency above 60s is not supported") }
        if snapshotEvery == 0 { throw ClusterError("snapshot-every must be at least 1 entry") }
        if sessionTTL == 0 { throw ClusterError("the session lifetime must be at least 1 entry") }
        do { try raftConfig(for: 1).validate() } catch { throw ClusterError(error.description) }
    }

    /// The core configuration of node `id`, timeouts converted to ticks.
    public func raftConfig(for id: NodeID) -> RaftConfig {
        let t = max(tick, 1)
        var c = RaftConfig(id: id, voters: nodeIDs,
                           electionTicksMin: Int((electionTimeout.lowerBound + t / 2) / t),
                           electionTicksMax: Int((electionTimeout.upperBound + t / 2) / t),
                           heartbeatTicks: max(1, Int((heartbeat + t / 2) / t)),
                           preVote: preVote, checkQuorum: checkQuorum, bug: bug)
        c.asyncStorageWrites = diskLatency != nil
        return c
    }
}
