/// Where a snapshot sits in the log: the last index it covers, the term of the entry there, and
/// the membership in force at that index (etcd's `SnapshotMetadata` with its `ConfState`).
///
/// A log that was compacted to a snapshot starts right after it: its first index is `index + 1`,
/// and `index`'s term is still known as `term`, so an append that follows it can be checked.
/// `SnapshotMetadata.none` (index 0, term 0) means there is no snapshot and the log starts at 1.
public struct SnapshotMetadata: Sendable, Hashable, CustomStringConvertible {
    /// The last log index the snapshot covers.
    public var index: LogIndex
    /// The term of the entry at `index`.
    public var term: Term
    /// The cluster's members at `index` (`Membership.none` when not recorded).
    public var membership: Membership
    /// The application's hash of the log up to `index` (0: not known). The core never reads it: it
    /// keeps it with the snapshot, stores it (`Ready.snapshot`) and sends it with every chunk of
    /// InstallSnapshot, so that a node that installed or restarted from the snapshot still knows it.
    /// raftd puts its `LogHashChain` value there, so that every node reports a comparable log hash.
    public var logHash: UInt64

    public init(index: LogIndex, term: Term, membership: Membership = .none, logHash: UInt64 = 0) {
        self.index = index
        self.term = term
        self.membership = membership
        self.logHash = logHash
    }

    /// No snapshot: nothing was compacted and the log starts at index 1.
    public static let none = SnapshotMetadata(index: 0, term: 0)

    public var description: String { "\(index)@t\(term)" }
}
