import RaftCore
import KV
import Check
import ClusterModel

/// A simulated client: the shared `ClientStateMachine` (leader search, redirects, retries with the
/// same request id) plus what the simulator records about its operation in flight.
final class SimClient {
    var machine: ClientStateMachine
    var rng: SeededRandom
    /// The history id and start time of the operation in flight.
    var historyID: Int?
    var invoked: SimTime = 0
    /// How its latest operation ended, kept only while `awaitsResult` (nil until then): what
    /// `SimCluster.perform` waits for. Other operations leave it alone: storing every result (and
    /// clearing it at every start) destroyed an `OperationResult?` through `Optional`'s generic value
    /// witness twice an operation (callgrind of `raftsh bench sim`: about 0.3 M instructions).
    var lastResult: OperationResult?
    /// Set by `SimCluster.perform` while it waits for `lastResult`.
    var awaitsResult = false
    /// Called when an operation finishes.
    var onComplete: ((OperationResult) -> Void)?

    init(machine: ClientStateMachine, rng: SeededRandom) {
        self.machine = machine
        self.rng = rng
    }

    var id: ClientID { machine.client }
}
