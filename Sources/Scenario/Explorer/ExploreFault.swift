/// A family of faults the explorer may draw (`raftsh explore --faults crash,partition,...`).
public enum ExploreFault: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// `fail leader`, `fail follower`, `fail N`, and the `restart` lines that undo them.
    case crash
    /// `partition ... | ...` and `isolate N`.
    case partition
    /// `block A -> B`.
    case block
    /// `drop P%`, on every link or on one.
    case loss
    /// `duplicate P%`.
    case dup
    /// `delay LOW..HIGH` (reorders messages).
    case delay
    /// `pause N` and `resume N`.
    case pause
    /// `hold [KIND] A -> B`, then `release` or `drop held`.
    case hold
    /// Single-server membership changes: `add node N` (sometimes `as learner`, then `promote N`) and
    /// `remove node N|leader`, one at a time, keeping at least three voters.
    case member
    /// `transfer leader to N`.
    case transfer
    /// `snapshot NODE|leader`, and clusters with `snapshot-every N`.
    case snapshot
    /// Clusters with `disk LOW..HIGH`: nodes write in the background as raftd does, and a crash
    /// loses the write in progress.
    case disk

    public static func < (a: ExploreFault, b: ExploreFault) -> Bool { a.rawValue < b.rawValue }
}
