import RaftCore

/// A node's simulated stable storage. Writes land in a volatile copy; `sync` makes them durable;
/// a crash keeps only what was synced. Entries always arrive with a sync request (the core asks for
/// one whenever it hands out entries), so only a bare hard-state change (a new commit index) can be
/// lost — exactly what a real node may lose.
public struct SimDisk: Sendable {
    public private(set) var entries: [Entry] = []
    public private(set) var hardState = HardState()
    public private(set) var syncedHardState = HardState()
    public private(set) var writes = 0
    public private(set) var syncs = 0

    public init() {}

    /// Apply a Ready's storage work.
    public mutating func write(hardState hs: HardState?, entries new: [Entry], sync: Bool) {
        writes += 1
        if let first = new.first {
            precondition(sync, "entries written without sync")
            let keep = Int(first.index) - 1
            if entries.count > keep { entries.removeLast(entries.count - keep) }
            precondition(entries.count == keep, "gap in written entries at \(first.index)")
            entries.append(contentsOf: new)
        }
        if let hs { hardState = hs }
        if sync {
            syncs += 1
            syncedHardState = hardState
        }
    }

    /// What survives a crash.
    public var durable: PersistentState {
        PersistentState(hardState: syncedHardState, entries: entries)
    }

    /// Lose everything not synced.
    public mutating func crash() {
        hardState = syncedHardState
    }
}
