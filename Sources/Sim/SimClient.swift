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
    /// How its latest operation ended (nil while one is in flight or before the first), which
    /// `SimCluster.perform` waits for.
    var lastResult: OperationResult?
    /// Called when an operation finishes.
    var onComplete: ((OperationResult) -> Void)?

    init(machine: ClientStateMachine, rng: SeededRandom) {
        self.machine = machine
        self.rng = rng
    }

    var id: ClientID { machine.client }
}
