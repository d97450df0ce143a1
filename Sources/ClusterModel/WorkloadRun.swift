import RaftCore
import KV
import Check

/// A background workload as the executor and the workload report see it: the simulator's clients
/// on virtual time, or real client threads on real time. Times are nanoseconds since the cluster
/// started, like `Cluster.now`.
public protocol WorkloadRun: AnyObject {
    var spec: WorkloadSpec { get }
    /// Client ids used by this workload (its operations in `Cluster.history`).
    var clientIDs: [ClientID] { get }
    /// Whether it is still issuing operations.
    var running: Bool { get }
    /// Operations that got a final answer (or gave up on their own timeout).
    var results: [OperationResult] { get }
    /// Operations without a final answer when the workload stopped.
    var unanswered: [OperationResult] { get }
    /// Operations in flight now.
    var inFlight: Int { get }
    var startedAt: Timestamp { get }
    var stoppedAt: Timestamp? { get }
}
