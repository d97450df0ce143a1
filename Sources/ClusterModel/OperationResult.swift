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

// The public initializer lives in an extension so that the struct keeps its synthesized memberwise
// initializer, which it calls: built field by field in its own `init`, a struct this large with
// several references was built twice, copied and the first destroyed (callgrind: about 15
// instructions an operation; the same as `Message`'s initializer).
extension OperationResult {
    public init(_ client: ClientID, op: KVOperation, outcome: OperationOutcome, invoked: Timestamp, completed: Timestamp,
                index: LogIndex, node: NodeID, attempts: Int, redirects: Int, failure: String?,
                reason: ClientFailure? = nil, seq: UInt64 = 0) {
        self.init(client: client, op: op, outcome: outcome, invoked: invoked, completed: completed, index: index,
                  node: node, attempts: attempts, redirects: redirects, failure: failure, reason: reason, seq: seq)
    }
}
