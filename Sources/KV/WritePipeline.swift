import RaftCore

/// A driver's bookkeeping for asynchronous storage writes (`RaftConfig.asyncStorageWrites`), the
/// same in every driver (`RaftDaemon`, `SimCluster`): which Readies' storage work went to a
/// background writer and is not durable yet, and what output waits for it.
///
/// The rule the drivers follow with it:
/// - a leader hands its storage work over (`handOver`) and sends its messages at once: the
///   followers' syncs run while its own does (thesis §10.2.1; etcd does the same), and it goes on
///   taking answers and proposals meanwhile; the core counts its entries toward a commit, and
///   applies anything, only once `written(through:raft:)` reports them durable;
/// - any other node answers for what is on disk: it stores its Ready itself, syncs, reports it
///   (`RaftNode.persisted(_:)`) and sends; but while a write of its own is still with
///   the writer (it led a moment ago), its work queues behind that write (`handsOver`) and its
///   messages wait for it (`hold`).
public struct WritePipeline<Output> {
    /// Writes handed over so far, numbered from 1 in that order.
    public private(set) var handedOver: UInt64 = 0
    /// The highest write number the writer reported durable.
    public private(set) var durable: UInt64 = 0
    /// The last entry of each write not yet durable (nil: it stores no entries), oldest first.
    private var inFlight: [(number: UInt64, last: (index: LogIndex, term: Term)?)] = []
    /// Output waiting for the writes handed over before it, oldest first.
    private var waiting: [(after: UInt64, output: Output)] = []

    public init() {}

    /// Whether every write handed over is durable.
    public var isIdle: Bool { handedOver == durable }

    /// Whether a Ready's storage work goes to the writer: a leader's always; anyone's while a write
    /// is still with the writer, to keep the order.
    public func handsOver(leading: Bool) -> Bool { leading || !isIdle }

    /// Records that `rd`'s storage work went to the writer. Returns the write's number.
    @discardableResult
    public mutating func handOver(_ rd: Ready) -> UInt64 {
        handedOver += 1
        inFlight.append((handedOver, rd.entries.last.map { ($0.index, $0.term) }))
        return handedOver
    }

    /// `output` back if it may go now (nothing is with the writer); else nil, and it comes back
    /// from `written(through:raft:)` once every write handed over so far is durable.
    public mutating func hold(_ output: Output) -> Output? {
        if isIdle { return output }
        waiting.append((handedOver, output))
        return nil
    }

    /// The writer reports writes up to `number` durable: tells `raft` about their entries, in
    /// order, and returns the output that waited for them, oldest first. The caller sends it and
    /// then takes the core's next Readies (commits and applies may follow).
    public mutating func written(through number: UInt64, raft: RaftNode) -> [Output] {
        guard number > durable else { return [] }
        durable = min(number, handedOver)
        var reported = 0
        for w in inFlight {
            guard w.number <= durable else { break }
            reported += 1
            if let last = w.last { raft.persisted(through: last.index, term: last.term) }
        }
        inFlight.removeFirst(reported)
        var ready = 0
        for w in waiting {
            guard w.after <= durable else { break }
            ready += 1
        }
        let out = waiting.prefix(ready).map(\.output)
        waiting.removeFirst(ready)
        return out
    }
}

/// One Ready's storage work, as a driver hands it to a background writer: its snapshot, hard state
/// and entries, stored in that order (see `Ready`).
public struct StorageWrite: Sendable {
    public var snapshot: Snapshot?
    public var installsSnapshot: Bool
    public var hardState: HardState?
    public var entries: [Entry]
    /// Whether the Ready asked for a sync (`Ready.mustSync`).
    public var sync: Bool

    public init(_ rd: Ready) {
        snapshot = rd.snapshot
        installsSnapshot = rd.installsSnapshot
        hardState = rd.hardState
        entries = rd.entries
        sync = rd.mustSync
    }

    /// Whether `rd` has storage work at all.
    public static func needed(by rd: Ready) -> Bool {
        rd.snapshot != nil || rd.hardState != nil || !rd.entries.isEmpty
    }
}
