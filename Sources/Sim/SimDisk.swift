import RaftCore
import KV

/// A node's simulated stable storage: the latest snapshot, the log after it, and the hard state.
/// Writes land in a volatile copy; `sync` makes them durable; a crash keeps only what was synced.
/// Entries and snapshots always arrive with a sync request (the core asks for one whenever it hands
/// them out), so only a bare hard-state change (a new commit index) can be lost — exactly what a
/// real node may lose. (The known bug `ack-before-sync` writes entries without a sync; a crash then
/// loses them too.)
///
/// As a `LogStorage` it shows what a process reading it would find now: after `crash()`, what a
/// restart finds.
public struct SimDisk: LogStorage, Sendable {
    /// Everything written, synced or not; the log starts right after `stored.snapshot`.
    private var stored: PersistentState
    public private(set) var syncedHardState = HardState()
    public private(set) var writes = 0
    public private(set) var syncs = 0
    /// Log writes since the last sync, oldest first, to undo on a crash: where each began and the
    /// entries it replaced. Empty unless entries were written without a sync.
    private var unsyncedWrites: [(from: LogIndex, replaced: [Entry])] = []

    /// An empty disk, whose log starts right after `start` (`.none`: at index 1).
    public init(startingAfter start: SnapshotMetadata = .none) {
        stored = PersistentState(snapshot: start)
    }

    /// Apply a Ready's storage work: `snapshot` first (replacing the whole log if `replacingLog`, as
    /// `Ready.installsSnapshot` asks; see `PersistentState.saveSnapshot`), then the entries.
    public mutating func write(snapshot: Snapshot? = nil, replacingLog: Bool = false, hardState hs: HardState?,
                               entries new: [Entry], sync: Bool) {
        writes += 1
        if let snapshot {
            precondition(sync, "snapshot written without sync")
            stored.saveSnapshot(snapshot, replacingLog: replacingLog)
        }
        if !new.isEmpty {
            if !sync {
                let from = new[0].index
                unsyncedWrites.append((from, stored.entries(in: from ..< stored.lastIndex + 1) ?? []))
            }
            stored.append(new)
        }
        if let hs { stored.hardState = hs }
        if sync {
            syncs += 1
            syncedHardState = stored.hardState
            unsyncedWrites.removeAll()
        }
    }

    /// A background writer's write: `StorageWrite`'s snapshot, hard state and entries, as above.
    public mutating func write(_ w: StorageWrite) {
        write(snapshot: w.snapshot, replacingLog: w.installsSnapshot, hardState: w.hardState, entries: w.entries,
              sync: w.sync)
    }

    /// Lose everything not synced.
    public mutating func crash() {
        stored.hardState = syncedHardState
        for w in unsyncedWrites.reversed() {
            stored.removeEntries(from: w.from)
            stored.append(w.replaced)
        }
        unsyncedWrites.removeAll()
    }

    public var hardState: HardState { stored.hardState }
    public var firstIndex: LogIndex { stored.firstIndex }
    public var lastIndex: LogIndex { stored.lastIndex }
    public var snapshot: SnapshotMetadata { stored.snapshot }
    public var snapshotData: [UInt8] { stored.snapshotData }
    public func term(at index: LogIndex) -> Term? { stored.term(at: index) }
    public func entries(in range: Range<LogIndex>) -> [Entry]? { stored.entries(in: range) }
}
