/// Identifies a member of the cluster. Node ids are 1...N; 0 means "none".
public typealias NodeID = UInt64
/// A Raft term.
public typealias Term = UInt64
/// A position in the replicated log; the first entry has index 1, 0 means "before the log".
public typealias LogIndex = UInt64
/// An opaque token a driver attaches to a ReadIndex request to recognise its answer.
public typealias ReadContext = UInt64

/// The value meaning "no node" in votes and leader hints.
public let noNode: NodeID = 0

/// What an entry carries.
public enum EntryKind: UInt8, Sendable, Hashable {
    /// A command for the state machine.
    case normal = 0
    /// The empty entry a new leader appends to commit entries of earlier terms (§5.4.2, §8).
    case noop = 1
    /// A membership configuration (reserved for membership change).
    case config = 2
}

/// One record of the replicated log.
public struct Entry: Sendable, Hashable {
    public var term: Term
    public var index: LogIndex
    public var kind: EntryKind
    public var data: [UInt8]

    public init(term: Term, index: LogIndex, kind: EntryKind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// Approximate encoded size, used for the per-message byte cap.
    @inlinable public var byteSize: Int { 24 + data.count }
}

/// The state that must be on stable storage before a node answers a vote or an append.
public struct HardState: Sendable, Hashable {
    public var term: Term
    public var vote: NodeID
    public var commit: LogIndex

    public init(term: Term = 0, vote: NodeID = noNode, commit: LogIndex = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    /// Whether moving from `old` to `self` changes what must be synced before answering.
    public func needsSync(comparedTo old: HardState) -> Bool {
        term != old.term || vote != old.vote
    }
}

/// The role a node plays in its current term.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case follower
    case preCandidate = "precandidate"
    case candidate
    case leader
}

/// Volatile state a driver may want to observe: who leads and in what role we are.
public struct SoftState: Sendable, Hashable {
    public var leader: NodeID
    public var role: Role
}
