import RaftCore
import KV
import Check

/// What became of one client operation.
public struct OperationResult: Sendable, Hashable {
    public var client: ClientID
    public var op: KVOperation
    public var outcome: OperationOutcome
    public var invoked: SimTime
    public var completed: SimTime
    /// Log index where the write applied, or the read index; 0 if none.
    public var index: LogIndex
    /// The server that gave the final answer (0 if none).
    public var node: NodeID
    public var attempts: Int
    public var redirects: Int
    /// Why it did not succeed ("timeout", "not leader"), nil on success.
    public var failure: String?

    public var latency: SimTime { completed - invoked }
    public var succeeded: Bool { if case .ok = outcome { return true } else { return false } }
}

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
    var rng: SimRandom
    /// The node this client believes leads (0: unknown).
    var leaderGuess: NodeID = noNode
    var current: InFlight?
    /// Called when an operation finishes.
    var onComplete: ((OperationResult) -> Void)?

    init(id: ClientID, rng: SimRandom) {
        self.id = id
        self.rng = rng
    }
}
