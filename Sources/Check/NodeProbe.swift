import RaftCore

/// What one node said about itself at one moment, as the probe checker needs it: the answer to a
/// `status` probe of a real node (or any node that can report these values).
///
/// Hashes of 0 mean "not known" and are never compared: `commitHash` and `lastHash` are the
/// node's chained log hashes (`h(i) = FNV-1a(h(i-1), term, kind, data)`) at `commit` and
/// `lastIndex`; `appliedDigest` is its state machine's digest at `applied`.
public struct NodeProbe: Sendable, Hashable {
    public var node: NodeID
    /// Which start of the node's process this is (monotonic checks restart with a new one).
    public var incarnation: UInt64
    /// When the answer arrived.
    public var time: Timestamp
    public var role: Role
    public var term: Term
    public var commit: LogIndex
    /// The term of the entry at `commit`.
    public var commitTerm: Term
    public var commitHash: UInt64
    public var lastIndex: LogIndex
    public var lastTerm: Term
    public var lastHash: UInt64
    public var applied: LogIndex
    public var appliedDigest: UInt64

    public init(node: NodeID, incarnation: UInt64, time: Timestamp, role: Role, term: Term, commit: LogIndex,
                commitTerm: Term, commitHash: UInt64, lastIndex: LogIndex, lastTerm: Term, lastHash: UInt64,
                applied: LogIndex, appliedDigest: UInt64) {
        self.node = node
        self.incarnation = incarnation
        self.time = time
        self.role = role
        self.term = term
        self.commit = commit
        self.commitTerm = commitTerm
        self.commitHash = commitHash
        self.lastIndex = lastIndex
        self.lastTerm = lastTerm
        self.lastHash = lastHash
        self.applied = applied
        self.appliedDigest = appliedDigest
    }
}
