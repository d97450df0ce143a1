/// A message between Raft nodes. One flat value, as in etcd's raftpb, so that codecs and tests
/// handle every kind alike; which fields mean something depends on `kind` (see each case).
public struct Message: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        /// Ask for a pre-vote in `term` (the sender's term + 1, not adopted): `logTerm`/`index` are the sender's last entry.
        case preVote = 0
        /// Answer to a pre-vote: `reject` says whether it was refused.
        case preVoteResponse = 1
        /// Ask for a vote in `term`: `logTerm`/`index` are the candidate's last entry.
        case vote = 2
        /// Answer to a vote request.
        case voteResponse = 3
        /// AppendEntries: `index`/`logTerm` are prevLogIndex/prevLogTerm, `entries` follow, `commit` is the leader's commit.
        case append = 4
        /// Answer to AppendEntries. On success `index` is the last index now matching.
        /// On `reject`, `index` is the rejected prevLogIndex, `rejectHint` the follower's conflict index and
        /// `logTerm` the follower's term at that index (0 if its log is shorter): the fast backup of §5.3.
        case appendResponse = 5
        /// Leader heartbeat: `commit` (capped at the follower's match), `context` a ReadIndex round or 0.
        case heartbeat = 6
        /// Answer to a heartbeat, echoing `context`.
        case heartbeatResponse = 7
    }

    public var kind: Kind
    public var from: NodeID
    public var to: NodeID
    public var term: Term
    public var logTerm: Term
    public var index: LogIndex
    public var commit: LogIndex
    public var entries: [Entry]
    public var reject: Bool
    public var rejectHint: LogIndex
    public var context: ReadContext

    public init(kind: Kind, from: NodeID, to: NodeID, term: Term,
                logTerm: Term = 0, index: LogIndex = 0, commit: LogIndex = 0,
                entries: [Entry] = [], reject: Bool = false, rejectHint: LogIndex = 0,
                context: ReadContext = 0) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.commit = commit
        self.entries = entries
        self.reject = reject
        self.rejectHint = rejectHint
        self.context = context
    }

    /// Whether this message asks for a (pre-)vote.
    public var isVoteRequest: Bool { kind == .vote || kind == .preVote }

    /// Approximate encoded size in bytes.
    public var byteSize: Int { entries.reduce(64) { $0 + $1.byteSize } }
}

extension Message: CustomStringConvertible {
    public var description: String {
        var s = "\(kind) \(from)->\(to) t\(term)"
        switch kind {
        case .preVote, .vote: s += " last=\(index)@t\(logTerm)"
        case .preVoteResponse, .voteResponse: s += reject ? " reject" : " grant"
        case .append: s += " prev=\(index)@t\(logTerm) n=\(entries.count) commit=\(commit)"
        case .appendResponse: s += reject ? " reject \(index) hint=\(rejectHint)@t\(logTerm)" : " ok \(index)"
        case .heartbeat: s += " commit=\(commit) ctx=\(context)"
        case .heartbeatResponse: s += " ctx=\(context)"
        }
        return s
    }
}
