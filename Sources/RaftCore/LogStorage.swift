/// Read access to one node's stable storage: what the core restarts from (modelled on etcd's
/// `Storage`: `InitialState`, `FirstIndex`, `LastIndex`, `Term`, `Entries`, `Snapshot`).
///
/// The log held is `firstIndex ... lastIndex`, entry `i` at index `i`; it is empty when
/// `lastIndex == firstIndex - 1`. Entries below `firstIndex` were compacted away (a snapshot holds
/// their effect), but the term of `firstIndex - 1` is still known, so that the entry after it can
/// pass Raft's consistency check (§5.3). A log that was never compacted starts at index 1, and
/// index 0 has term 0.
///
/// How entries and snapshots get in is each implementation's own write API (a driver persists each
/// `Ready` through it). Whatever it is:
/// - appending entries whose first index is `i` (at most `lastIndex + 1`, at least `firstIndex`)
///   must leave the log holding them from `i` on and nothing after them: a conflicting suffix is
///   replaced, as `Ready.entries` requires;
/// - storing a snapshot newer than the one held makes the log start right after it: a snapshot the
///   node made itself keeps the entries after its index, one installed from the leader
///   (`Ready.installsSnapshot`) drops them all; an older snapshot changes nothing.
/// `Tests/TestSupport/LogStorageCheck.swift` checks all of this for every implementation.
public protocol LogStorage {
    /// The term, vote and commit index last saved (etcd's `InitialState`).
    var hardState: HardState { get }
    /// The index of the first entry held, at least 1; `lastIndex + 1` when the log is empty.
    var firstIndex: LogIndex { get }
    /// The index of the last entry held; `firstIndex - 1` when the log is empty.
    var lastIndex: LogIndex { get }
    /// The term of the entry at `index` for `firstIndex - 1 ... lastIndex` (at `firstIndex - 1`,
    /// the term of the entry the log was compacted to); nil for any other index.
    func term(at index: LogIndex) -> Term?
    /// The entries whose indexes are in `range`, in index order; nil unless `range` lies within
    /// `firstIndex ..< lastIndex + 1` (an empty range there gives no entries).
    func entries(in range: Range<LogIndex>) -> [Entry]?
    /// Where the latest snapshot sits, with the membership it records; `.none` if there is none.
    /// The log starts right after it: `firstIndex == snapshot.index + 1`.
    var snapshot: SnapshotMetadata { get }
    /// The state machine's bytes of that snapshot; empty when there is none (or when the log was only
    /// made to start after a point, as tests do).
    var snapshotData: [UInt8] { get }
}
