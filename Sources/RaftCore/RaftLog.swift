/// The replicated log as one node sees it: entries in memory, which of them are stable
/// (persisted), committed, and handed out for applying, and the latest snapshot, which holds the
/// effect of every entry up to `offset`.
///
/// Indexes start at `offset + 1`: `offset` is 0 until the log is compacted (`compact(to:)`),
/// restored from a compacted one (`init(restoring:)`) or replaced by a snapshot (`restore(_:)`).
public struct RaftLog: Sendable {
    /// The latest snapshot: the entries up to its index were dropped, and its data holds their
    /// effect. `Snapshot.none` until the log is first compacted.
    public private(set) var snapshot: Snapshot = .none
    /// The entries `offset+1 ... lastIndex`.
    public private(set) var entries: [Entry] = []
    /// Highest index known to be committed.
    public internal(set) var committed: LogIndex = 0
    /// Highest index the driver has applied (acknowledged through `advance`), a snapshot's included.
    public internal(set) var applied: LogIndex = 0
    /// Highest index handed out in a Ready for applying (may run ahead of `applied`).
    internal var applying: LogIndex = 0
    /// Highest index known to be on stable storage.
    public internal(set) var stabled: LogIndex = 0
    /// Highest index handed out in a Ready for storing (at least `stabled`). `stabled` follows at
    /// `RaftNode.advance(_:)`, or, with `RaftConfig.asyncStorageWrites`, when the driver reports the
    /// write done (`RaftNode.persisted(through:term:)`).
    internal var writing: LogIndex = 0

    public init() {}

    /// Index of the entry before `entries[0]`: the index of the latest snapshot (0 if none).
    public var offset: LogIndex { snapshot.metadata.index }
    /// Term of the entry at `offset` (0 when offset is 0), still known once that entry is compacted.
    public var offsetTerm: Term { snapshot.metadata.term }

    /// A log restored from `storage`: everything in it is stable. The log may start at any index
    /// above 0; everything up to `firstIndex - 1`, the point it was compacted to, counts as committed
    /// and applied (only committed entries are compacted, and the snapshot that replaced them holds
    /// their effect, as in etcd). The commit index is the stored one, kept within that point and the
    /// last index.
    ///
    /// Throws `.invalidConfig` when the stored log is unusable: a first index of 0, an unknown term
    /// before the first entry, a snapshot that does not sit right before the first entry, or entries
    /// missing, out of place or with a gap.
    public init(restoring storage: some LogStorage) throws(RaftError) {
        let first = storage.firstIndex, last = storage.lastIndex
        guard first >= 1 else { throw .invalidConfig("stored log starts at index 0; indexes start at 1") }
        guard last >= first - 1 else {
            throw .invalidConfig("stored log ends at index \(last), before its first index \(first)")
        }
        guard let before = storage.term(at: first - 1) else {
            throw .invalidConfig("stored log starts at index \(first) but the term of index \(first - 1) is unknown")
        }
        let point = storage.snapshot
        guard point.index == first - 1, point.term == before else {
            throw .invalidConfig("stored snapshot at \(point) does not sit right before the log's first entry "
                                 + "(index \(first), after an entry of term \(before))")
        }
        guard let held = storage.entries(in: first ..< last + 1) else {
            throw .invalidConfig("stored log cannot give its entries \(first)...\(last)")
        }
        for (i, e) in held.enumerated() where e.index != first + LogIndex(i) {
            throw .invalidConfig(i == 0 ? "stored log starts at index \(e.index), expected \(first)"
                                        : "stored log has a gap at index \(e.index)")
        }
        guard held.count == Int(last + 1 - first) else {
            throw .invalidConfig("stored log gave \(held.count) entries for indexes \(first)...\(last)")
        }
        snapshot = Snapshot(metadata: point, data: storage.snapshotData)
        entries = held
        stabled = last
        writing = last
        committed = max(offset, min(storage.hardState.commit, last))
        applied = offset
        applying = offset
    }

    public var firstIndex: LogIndex { offset + 1 }
    public var lastIndex: LogIndex { offset + LogIndex(entries.count) }
    public var lastTerm: Term { entries.last?.term ?? offsetTerm }

    /// The term of the entry at `index`, or nil if the log does not hold it.
    public func term(at index: LogIndex) -> Term? {
        if index == offset { return offsetTerm }
        if index < offset || index > lastIndex { return nil }
        return entries[Int(index - offset - 1)].term
    }

    /// The entry at `index`, if held.
    public func entry(at index: LogIndex) -> Entry? {
        guard index > offset, index <= lastIndex else { return nil }
        return entries[Int(index - offset - 1)]
    }

    /// Entries in `from...to` (clamped to what is held).
    public func slice(_ from: LogIndex, _ to: LogIndex) -> ArraySlice<Entry> {
        let lo = max(from, firstIndex), hi = min(to, lastIndex)
        if lo > hi { return [] }
        return entries[Int(lo - offset - 1)...Int(hi - offset - 1)]
    }

    /// Whether a log ending at (`index`, `term`) is at least as up to date as this one (§5.4.1).
    public func isUpToDate(index: LogIndex, term: Term) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// Whether the entry at `index` has term `term`.
    public func matchTerm(_ index: LogIndex, _ term: Term) -> Bool {
        self.term(at: index) == term
    }

    /// Append entries built by the leader itself.
    mutating func append(_ new: Entry) {
        precondition(new.index == lastIndex + 1, "append out of order")
        entries.append(new)
    }

    /// The follower side of AppendEntries after the consistency check passed:
    /// skip entries already present, truncate at the first conflict, append the rest.
    /// Returns the index of the last new entry.
    mutating func appendFromLeader(_ new: [Entry]) -> LogIndex {
        guard let firstNew = new.first else { return lastIndex }
        var i = 0
        while i < new.count, let t = term(at: new[i].index), t == new[i].term { i += 1 }
        if i == new.count { return new.last!.index }
        let conflictAt = new[i].index
        precondition(conflictAt > committed, "truncating committed entry \(conflictAt) (commit \(committed))")
        if conflictAt <= lastIndex {
            entries.removeLast(Int(lastIndex - conflictAt + 1))
            if stabled >= conflictAt { stabled = conflictAt - 1 }
            if writing >= conflictAt { writing = conflictAt - 1 }
        }
        precondition(conflictAt == lastIndex + 1, "gap in appended entries at \(firstNew.index)")
        entries.append(contentsOf: new[i...])
        return new.last!.index
    }

    /// Drops the entries up to `new.index`, which `new` (this node's own snapshot, of state it has
    /// applied) now stands for. The caller checked that `new.index` is applied and above `offset`,
    /// and that `new.term` is the term there.
    mutating func compact(to new: Snapshot) {
        precondition(new.index > offset && new.index <= applied && new.index <= lastIndex,
                     "compacting to \(new.index) outside \(offset + 1)...\(min(applied, lastIndex))")
        entries.removeFirst(Int(new.index - offset))
        snapshot = new
        stabled = max(stabled, new.index)
        writing = max(writing, new.index)
    }

    /// Replaces the whole log with `new`, a snapshot from the leader of committed state beyond
    /// `committed`: nothing is held after it, everything up to it is committed, and it is handed out
    /// for applying (`applied` follows when the driver acknowledges it). It is stable from here on:
    /// the driver stores it before any entry that follows it.
    mutating func restore(_ new: Snapshot) {
        precondition(new.index > committed, "restoring snapshot \(new.metadata) at or below commit \(committed)")
        entries.removeAll()
        snapshot = new
        committed = new.index
        applying = new.index
        stabled = new.index
        writing = new.index
    }

    mutating func commit(to index: LogIndex) {
        if index > committed {
            precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
            committed = index
        }
    }

    /// The first index of the run of entries with the same term as `index`, scanning back no further
    /// than `floor` (used for the conflict hint of a rejected append).
    func firstIndexOfTerm(at index: LogIndex, floor: LogIndex) -> LogIndex {
        guard let t = term(at: index) else { return index }
        var i = index
        while i > max(floor, firstIndex), term(at: i - 1) == t { i -= 1 }
        return i
    }

    /// The last index whose term is `term`, if any entry has it.
    func lastIndex(ofTerm t: Term) -> LogIndex? {
        var i = lastIndex
        while i >= firstIndex {
            let et = term(at: i)!
            if et == t { return i }
            if et < t { return nil }
            i -= 1
        }
        return nil
    }
}
