import RaftCore
import KV
import Check
import ClusterModel
import Sim

/// A cluster with none of the capabilities (no process or network control, no state inspection,
/// no invariant checking), like a cluster of foreign nodes: it forwards what every cluster does
/// to a simulator and says it is of the `exec` kind.
final class CapabilityFreeCluster: Cluster {
    let base: SimulatedCluster

    init(_ base: SimulatedCluster) { self.base = base }

    var kind: ClusterKind { .exec }
    var summary: String { base.summary }
    var nodeIDs: [NodeID] { base.nodeIDs }
    var seed: UInt64 { base.seed }
    var now: Timestamp { base.now }
    var steps: Int { base.steps }
    func status(of id: NodeID) -> NodeStatus { base.status(of: id) }
    func perform(_ op: KVOperation, via: NodeID?, timeout: Timestamp) -> OperationResult {
        base.perform(op, via: via, timeout: timeout)
    }
    func wait(_ duration: Timestamp) { base.wait(duration) }
    func wait(until condition: () -> Bool, within limit: Timestamp) -> Bool { base.wait(until: condition, within: limit) }
    var history: History { base.history }
    func choose(_ n: Int) -> Int { base.choose(n) }
    var trace: ((String) -> Void)? {
        get { base.trace }
        set { base.trace = newValue }
    }
    var interruptCheck: (() -> Bool)? {
        get { base.interruptCheck }
        set { base.interruptCheck = newValue }
    }
    func takeInterrupted() -> Bool { base.takeInterrupted() }
    func startWorkload(_ spec: WorkloadSpec) throws(ClusterError) { try base.startWorkload(spec) }
    func stopWorkload() { base.stopWorkload() }
    var workload: (any WorkloadRun)? { base.workload }
    var duplicateReplies: Int { base.duplicateReplies }
    func shutdown() { base.shutdown() }
}
