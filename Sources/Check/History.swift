import KV

/// A point in time in nanoseconds: virtual time in the simulator, real time on a live cluster.
public typealias Timestamp = UInt64

/// How a client operation ended, as far as its client knows.
public enum OperationOutcome: Sendable, Hashable {
    /// The operation took effect and returned this result.
    case ok(KVResult)
    /// The operation certainly did not take effect (for example, refused before it was proposed).
    case fail
    /// The operation may or may not have taken effect (for example, a write that timed out),
    /// or it never completed.
    case unknown
}

/// One client operation: what was asked, when, and how it ended.
public struct HistoryOperation: Sendable, Hashable {
    /// The operation's id within its history (its position in `History.operations`).
    public var id: Int
    /// The client that issued it.
    public var client: ClientID
    /// What was asked.
    public var op: KVOperation
    /// When the client sent it.
    public var invoke: Timestamp
    /// When the client got its answer; nil if it never did.
    public var complete: Timestamp?
    /// How it ended.
    public var outcome: OperationOutcome

    /// An operation with every field given.
    public init(id: Int, client: ClientID, op: KVOperation, invoke: Timestamp,
                complete: Timestamp?, outcome: OperationOutcome) {
        self.id = id
        self.client = client
        self.op = op
        self.invoke = invoke
        self.complete = complete
        self.outcome = outcome
    }
}

/// The record of every client operation of a run, in the order they were invoked by the driver.
///
/// An operation is recorded twice: `invoke` when the client sends it and `complete` when it gets
/// an answer. Operations never completed stay `.unknown` with `complete == nil`: a checker must
/// assume they may have taken effect at any time after their invocation, or never.
public struct History: Sendable {
    /// Every operation, indexed by its id.
    public private(set) var operations: [HistoryOperation] = []

    /// An empty history.
    public init() {}

    /// A history made of given operations; their ids are renumbered to their positions.
    public init(operations: [HistoryOperation]) {
        self.operations = operations
        for i in self.operations.indices { self.operations[i].id = i }
    }

    /// Record that `client` sent `op` at time `at`. Returns the id to pass to `complete`.
    public mutating func invoke(client: ClientID, op: KVOperation, at: Timestamp) -> Int {
        let id = operations.count
        operations.append(HistoryOperation(id: id, client: client, op: op, invoke: at,
                                           complete: nil, outcome: .unknown))
        return id
    }

    /// Record the end of operation `id` at time `at`. Completing an operation twice keeps the
    /// first completion (a duplicate response changes nothing the client saw).
    public mutating func complete(_ id: Int, outcome: OperationOutcome, at: Timestamp) {
        precondition(operations.indices.contains(id), "no operation with id \(id)")
        guard operations[id].complete == nil else { return }
        operations[id].complete = max(at, operations[id].invoke)
        operations[id].outcome = outcome
    }

    /// Ids of the operations not completed yet, in increasing order.
    public var pending: [Int] {
        operations.compactMap { $0.complete == nil ? $0.id : nil }
    }

    /// The number of operations.
    public var count: Int { operations.count }
}
