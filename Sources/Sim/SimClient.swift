import RaftCore
import KV
import Check
import ClusterModel

/// A simulated client: finds the leader, follows redirects, and retries with the same request id
/// (so a retried write applies once) until it gets an answer or its deadline passes.
final class SimClient {
    struct InFlight {
        var request: ClientRequest
        var historyID: Int
        var invoked: SimTime
        var target: NodeID
        var attempt: Int
        var via: NodeID?
        var redirects: Int
        var deadline: SimTime?
    }

    let id: ClientID
    var seq: UInt64 = 0
    var rng: SeededRandom
    /// The node this client believes leads (0: unknown).
    var leaderGuess: NodeID = noNode
    var current: InFlight?
    /// Called when an operation finishes.
    var onComplete: ((OperationResult) -> Void)?

    init(id: ClientID, rng: SeededRandom) {
        self.id = id
        self.rng = rng
    }
}
