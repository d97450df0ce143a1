/// The memberships a node's log holds, oldest first: the one in force at the start of the log (from
/// the latest snapshot, or the node's `RaftConfig` when nothing was recorded) and one for every
/// `.config` entry after it. The last one is in force now: a configuration takes effect when it is
/// appended, committed or not (thesis §4.1), and falls back to the one before when the entry that
/// carried it is truncated away.
struct ConfigurationHistory: Sendable {
    struct Point: Sendable, Hashable {
        /// The index of the `.config` entry (or the snapshot's index, for the first point).
        var index: LogIndex
        /// The term of that entry (0 for the first point).
        var term: Term
        var membership: Membership
    }

    /// Never empty; ascending by index.
    private(set) var points: [Point]

    /// A history starting from `base`, in force from `index`.
    init(base: Membership, at index: LogIndex) {
        points = [Point(index: index, term: 0, membership: base)]
    }

    /// The membership in force now.
    var current: Membership { points.last!.membership }

    /// The index of the latest `.config` entry, or 0 when the log holds none (only the base is known).
    var latestChangeIndex: LogIndex { points.count > 1 ? points.last!.index : 0 }

    /// The membership in force at `index` (the latest point at or before it).
    func membership(at index: LogIndex) -> Membership {
        points.last { $0.index <= index }?.membership ?? points[0].membership
    }

    /// Records the `.config` entries among `entries` (appended in order) that are newer than the
    /// latest point (older ones are recorded already). A `.config` entry whose data is not a
    /// membership changes nothing.
    mutating func appended(_ entries: some Sequence<Entry>) {
        for e in entries where e.kind == .config && e.index > points.last!.index {
            guard let m = Membership(decoding: e.data) else { continue }
            points.append(Point(index: e.index, term: e.term, membership: m))
        }
    }

    /// Forgets the points whose entries the log no longer holds as they were (truncated or replaced);
    /// `termAt` gives the log's term at an index. Never forgets the first point.
    mutating func dropMissing(termAt: (LogIndex) -> Term?) {
        while points.count > 1, let p = points.last, termAt(p.index) != p.term { points.removeLast() }
    }

    /// The log was compacted to `index`: the membership in force there becomes the base.
    mutating func compacted(to index: LogIndex) {
        let base = membership(at: index)
        points.removeAll { $0.index <= index }
        points.insert(Point(index: index, term: 0, membership: base), at: 0)
    }

    /// The log was replaced by a snapshot at `index` recording `membership` (kept as it was if the
    /// snapshot recorded none).
    mutating func restored(at index: LogIndex, membership: Membership) {
        points = [Point(index: index, term: 0, membership: membership.isEmpty ? current : membership)]
    }
}
