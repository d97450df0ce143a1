import RaftCore
import KV
import Check
import ClusterModel

/// The simulator as a `Cluster`, with every capability: process and network faults, state
/// inspection, invariant checking, message recording, snapshots. Deterministic for a given seed and calls.
public final class SimulatedCluster: Cluster, ProcessControl, NetworkControl, StateInspection, InvariantChecking,
    NetworkRecording, Snapshotting, MembershipControl
{
    public let sim: SimCluster
    /// The running or last workload (the simulator's own type).
    public private(set) var simWorkload: Workload?
    public var workload: (any WorkloadRun)? { simWorkload }
    private var workloadCount = 0

    public init(config: SimConfig) throws(ClusterError) {
        sim = try SimCluster(config: config)
    }

    public var kind: ClusterKind { .simulated }
    public var summary: String { "\(sim.nodes.count) simulated nodes, seed \(sim.config.seed)" }
    public var nodeIDs: [NodeID] { sim.nodeIDs }
    public var seed: UInt64 { sim.config.seed }
    public var now: Timestamp { sim.now }
    public var steps: Int { sim.stats.events }
    public var isConverged: Bool { sim.isConverged }
    public func status(of id: NodeID) -> NodeStatus { sim.status(of: id) }
    public func logEntries(of id: NodeID) -> [Entry]? {
        guard let r = sim.node(id).raft else { return nil }
        return Array(r.log.entries)
    }
    public func appliedValue(_ key: String, on id: NodeID) -> String?? { sim.appliedValue(key, on: id) }
    public func perform(_ op: KVOperation, via: NodeID?, timeout: Timestamp) -> OperationResult {
        sim.perform(op, via: via, timeout: timeout)
    }

    public func crash(_ id: NodeID) { sim.crash(id) }
    public func restart(_ id: NodeID) throws(ClusterError) {
        if sim.node(id).removed { throw ClusterError("node \(id) was removed from the cluster; `add node` adds a new one") }
        sim.restart(id)
    }

    public func addNode(_ id: NodeID, asLearner: Bool) throws(ClusterError) -> String {
        try sim.addNode(id, asLearner: asLearner)
    }
    public func promote(_ id: NodeID) throws(ClusterError) -> String { try sim.promote(id) }
    public func removeNode(_ id: NodeID) throws(ClusterError) -> String { try sim.removeNode(id) }
    public func transferLeadership(to id: NodeID) throws(ClusterError) -> String { try sim.transferLeadership(to: id) }
    public func membership(of id: NodeID) -> Membership? { sim.node(id).raft?.membership }
    public func changePending(at id: NodeID) -> Bool {
        guard let r = sim.node(id).raft else { return false }
        return r.latestChangeIndex > r.log.committed
    }
    public var pendingMembershipWork: Int { sim.pendingMembershipWork }
    public func pause(_ id: NodeID) { sim.pause(id) }
    public func resume(_ id: NodeID) { sim.resume(id) }

    public var network: NetworkModel { sim.network }
    public func updateNetwork(_ change: (inout NetworkModel) -> Void) {
        sim.updateNetwork(change)
    }

    public func wait(_ duration: Timestamp) { sim.run(for: duration) }
    public func wait(until condition: () -> Bool, within limit: Timestamp) -> Bool {
        withoutActuallyEscaping(condition) { c in sim.run(until: sim.now + limit, stop: c) }
    }

    public var history: History { sim.history }
    public var violation: Violation? { sim.violation }
    public func choose(_ n: Int) -> Int { Int(sim.choiceRNG.next(upperBound: UInt64(n))) }
    public var trace: ((String) -> Void)? {
        get { sim.traceSink }
        set { sim.traceSink = newValue }
    }

    public var interruptCheck: (() -> Bool)? {
        get { sim.interruptCheck }
        set { sim.interruptCheck = newValue }
    }
    public func takeInterrupted() -> Bool {
        defer { sim.interrupted = false }
        return sim.interrupted
    }

    public func startWorkload(_ spec: WorkloadSpec) throws(ClusterError) {
        if let w = simWorkload, w.running { throw ClusterError("a workload is already running; `workload stop` first") }
        // Each workload gets fresh client ids so histories of successive workloads never mix.
        let w = try Workload(cluster: sim, spec: spec, firstClient: ClientID(100 + 100 * workloadCount))
        workloadCount += 1
        simWorkload = w
        w.start()
    }

    public func stopWorkload() { simWorkload?.stop() }
    public var messagesSent: Int { sim.stats.messagesSent }
    public var duplicateReplies: Int { sim.stats.duplicateReplies }
    public var leaderHistory: [LeaderSpan] { sim.leaderHistory }
    public func shutdown() {}

    public var snapshotEvery: LogIndex? { sim.config.snapshotEvery }
    public func takeSnapshot(_ id: NodeID) throws(ClusterError) -> LogIndex {
        guard sim.status(of: id).state == .up else { throw ClusterError("node \(id) is down") }
        return sim.takeSnapshot(id) ?? sim.snapshotIndex(of: id)
    }
    public var snapshotCounts: SnapshotCounts {
        let s = sim.stats
        return SnapshotCounts(taken: s.snapshotsTaken, sent: s.snapshotsSent, chunks: s.snapshotChunksSent,
                              bytes: s.snapshotBytesSent, installed: s.snapshotsInstalled)
    }
}

extension Workload: WorkloadRun {}
