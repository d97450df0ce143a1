import RaftCore
import KV
import Check

/// What became of one client operation, however the cluster ran it.
public struct OperationResult: Sendable, Hashable {
    public var client: ClientID
    public var op: KVOperation
    public var outcome: OperationOutcome
    public var invoked: Timestamp
    public var completed: Timestamp
    /// Log index where the write applied, or the read index; 0 if none.
    public var index: LogIndex
    /// The server that gave the final answer (0 if none).
    public var node: NodeID
    public var attempts: Int
    public var redirects: Int
    /// Why it did not succeed ("timeout", "not leader"), nil on success.
    public var failure: String?
    /// Why it did not succeed, as the client saw it (nil on success, or when the cluster cannot tell).
    public var reason: ClientFailure?
    /// The client's sequence number of the request (0 when it was never sent): with `client`, what
    /// names its entry in a log.
    public var seq: UInt64

    public init(_ client: ClientID, op: KVOperation, outcome: OperationOutcome, invoked: Timestamp, completed: Timestamp,
                index: LogIndex, node: NodeID, attempts: Int, redirects: Int, failure: String?,
                reason: ClientFailure? = nil, seq: UInt64 = 0) {
        self.client = client
        self.op = op
        self.outcome = outcome
        self.invoked = invoked
        self.completed = completed
        self.index = index
        self.node = node
        self.attempts = attempts
        self.redirects = redirects
        self.failure = failure
        self.reason = reason
        self.seq = seq
    }

    public var latency: Timestamp { completed - invoked }
    public var succeeded: Bool { if case .ok = outcome { return true } else { return false } }
}

extension OperationOutcome {
    /// How a client's outcome enters the history: a failure the client knows had no effect is
    /// `.fail`, one that may have applied is `.unknown`.
    public init(_ outcome: ClientOutcome) {
        switch outcome {
        case .ok(let result): self = .ok(result)
        case .failed: self = .fail
        case .indefinite: self = .unknown
        }
    }
}
