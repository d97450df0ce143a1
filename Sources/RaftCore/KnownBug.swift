/// A classic Raft mistake that a simulated cluster can switch on, to show what catches it
/// (`cluster 5 bug commit-old-term`, `raftsh explore --bug NAME`). Off by default, and `raftd`
/// has no way to set it.
///
/// Each switch is read in exactly one place (named below), so the core's normal paths are the
/// same code with every switch off.
public enum KnownBug: String, Sendable, Hashable, CaseIterable {
    /// Figure 8 of the Raft paper: a leader commits an entry of an earlier term by counting its
    /// replicas. Such a leader has no use for the no-op of its own term (which exists only to commit
    /// earlier entries safely), so it appends none. Read in `RaftNode.countsOldTermReplicas`.
    case commitOldTerm = "commit-old-term"
    /// A node grants (pre-)votes without checking that the candidate's log is at least as up to date
    /// as its own (§5.4.1). Read in `RaftNode.handleVoteRequest`.
    case noVoteCheck = "no-vote-check"
    /// A node acknowledges appended entries (and a leader counts its own) before they are synced:
    /// the Ready asks for no sync for entries. Read in `RaftNode.ready()`.
    case ackBeforeSync = "ack-before-sync"
    /// A leader answers reads from its own state machine at once, without a ReadIndex round
    /// confirming it still leads. Read in `KVServer.receive(_:)`.
    case staleRead = "stale-read"
    /// A follower keeps entries that conflict with the leader's, appending only what lies past its
    /// own log. Read in `RaftNode.handleAppend`.
    case noTruncate = "no-truncate"
    /// A node grants a vote (or takes a new term) without syncing it first: a crash right after
    /// forgets the vote, and the node can vote again in the same term. Read in `RaftNode.ready()`.
    case voteTwice = "vote-twice"
    /// A leader proposes a membership change before it has committed an entry of its own term: the
    /// published single-server change bug (Ongaro, raft-dev 2015), where two changes decided by
    /// different leaders can have disjoint majorities and a committed entry is lost. Read in
    /// `RaftNode.mayChangeMembershipInThisTerm`.
    case changeBeforeCommit = "change-before-commit"
    /// With background storage writes (`RaftConfig.asyncStorageWrites`, `cluster N disk D..D`), a
    /// leader counts its own entries toward a commit when it hands them to its writer instead of
    /// when they are durable: a crash can then lose a committed entry from a majority. Read in
    /// `RaftNode.advance(_:)`; no effect without background writes.
    case countBeforeWrite = "count-before-write"

    /// The switch's name in scenarios and on the command line.
    public var name: String { rawValue }

    /// One line saying what goes wrong.
    public var summary: String {
        switch self {
        case .commitOldTerm: "a leader commits entries of earlier terms by counting replicas (Raft paper, Figure 8)"
        case .noVoteCheck: "votes are granted without the log up-to-date check"
        case .ackBeforeSync: "appended entries are acknowledged before they are synced"
        case .staleRead: "a leader answers reads from local state without ReadIndex"
        case .noTruncate: "a follower keeps entries that conflict with the leader's"
        case .voteTwice: "a vote is not persisted before it is granted"
        case .changeBeforeCommit: "a new leader changes the membership before committing an entry of its term"
        case .countBeforeWrite: "with background writes, a leader counts its own entries before they are durable"
        }
    }
}
