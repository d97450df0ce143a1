/// What a node restarts from, held in memory: its hard state, its latest snapshot and its stable
/// log, which starts right after the snapshot (at index 1 when there is none). The simplest
/// `LogStorage`: drivers and tests without a disk of their own keep one, storing each `Ready`'s
/// snapshot with `saveSnapshot(_:replacingLog:)` and its entries with `append(_:)`.
public struct PersistentState: LogStorage, Sendable, Equatable {
    public var hardState: HardState
    /// The point the log was compacted to: `entries` start at `snapshot.index + 1`, and
    /// `snapshot.term` is the term of the entry before them.
    public var snapshot: SnapshotMetadata
    /// The state machine's bytes at `snapshot.index` (empty when there is no snapshot).
    public var snapshotData: [UInt8]
    /// The log, entry `i` at position `i - snapshot.index - 1`.
    public var entries: [Entry]

    public init(hardState: HardState = HardState(), snapshot: SnapshotMetadata = .none, snapshotData: [UInt8] = [],
                entries: [Entry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.snapshotData = snapshotData
        self.entries = entries
    }

    /// A copy of everything `storage` holds, with the log starting at its first index.
    public init(copying storage: some LogStorage) {
        let first = storage.firstIndex, last = storage.lastIndex
        var point = storage.snapshot
        if point.index != first - 1 {
            point = SnapshotMetadata(index: first - 1, term: storage.term(at: first - 1) ?? 0)
        }
        self.init(hardState: storage.hardState, snapshot: point, snapshotData: storage.snapshotData,
                  entries: storage.entries(in: first ..< last + 1) ?? [])
    }

    /// A node that has never run.
    public static let empty = PersistentState()

    public var firstIndex: LogIndex { snapshot.index + 1 }
    /// By position: a malformed `entries` (a gap, a wrong start) is then caught by whoever checks
    /// the indexes, as `RaftNode.init` does, rather than trapping here.
    public var lastIndex: LogIndex { snapshot.index + LogIndex(entries.count) }

    public func term(at index: LogIndex) -> Term? {
        if index == snapshot.index { return snapshot.term }
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return entries[position(index)].term
    }

    public func entries(in range: Range<LogIndex>) -> [Entry]? {
        guard range.lowerBound >= firstIndex, range.upperBound <= lastIndex + 1 else { return nil }
        return Array(entries[position(range.lowerBound) ..< position(range.upperBound)])
    }

    /// Stores `new` (contiguous), replacing every entry from `new.first!.index` on. The first new
    /// index must lie in `firstIndex ... lastIndex + 1`: entries neither leave a gap nor rewrite the
    /// compacted part.
    public mutating func append(_ new: [Entry]) {
        guard let first = new.first else { return }
        removeEntries(from: first.index)
        entries.append(contentsOf: new)
    }

    /// Removes every entry from `index` on (`index` in `firstIndex ... lastIndex + 1`).
    public mutating func removeEntries(from index: LogIndex) {
        precondition(index >= firstIndex && index <= lastIndex + 1,
                     "cannot remove entries from index \(index) of a log holding \(firstIndex)...\(lastIndex)")
        entries.removeSubrange(position(index)...)
    }

    /// Stores `new` as the latest snapshot and makes the log start right after it, as a `Ready`
    /// asks (`replacingLog` is its `installsSnapshot`). The entries after the snapshot stay when it is
    /// this node's own (`replacingLog` false) and the log holds its last entry (same index and term);
    /// otherwise every entry goes. A snapshot no newer than the one held changes nothing.
    public mutating func saveSnapshot(_ new: Snapshot, replacingLog: Bool) {
        guard new.index > snapshot.index else { return }
        if !replacingLog, term(at: new.index) == new.term {
            entries.removeFirst(Int(new.index - snapshot.index))
        } else {
            entries.removeAll()
        }
        snapshot = new.metadata
        snapshotData = new.data
    }

    private func position(_ index: LogIndex) -> Int { Int(index - firstIndex) }
}
