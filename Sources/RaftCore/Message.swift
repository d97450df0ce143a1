/// A message between Raft nodes. One flat value, as in etcd's raftpb, so that codecs and tests
/// handle every kind alike; which fields mean something depends on `kind` (see each case).
public struct Message: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        /// Ask for a pre-vote in `term` (the sender's term + 1, not adopted): `logTerm`/`index` are the sender's last entry.
        case preVote = 0
        /// Answer to a pre-vote: `reject` says whether it was refused.
        case preVoteResponse = 1
        /// Ask for a vote in `term`: `logTerm`/`index` are the candidate's last entry. `context` is
        /// `Message.transferCampaign` when the candidate campaigns because its leader told it to
        /// (`timeoutNow`): voters then answer even if they heard from that leader recently.
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
        /// InstallSnapshot: one chunk of the leader's latest snapshot, in `snapshot` (metadata, offset,
        /// data, done). Sent instead of appends to a follower that needs entries the leader compacted
        /// away. The follower answers each chunk but the last with a `snapshotResponse`; the last one
        /// (or a snapshot it does not need) with an `appendResponse` whose `index` it now matches.
        case snapshot = 8
        /// Answer to a snapshot chunk: `snapshot` carries the snapshot's metadata and, in `offset`, how
        /// many of its bytes the follower holds (where the next chunk must start). `reject`: the follower
        /// holds nothing of this snapshot (it restarted, or missed the first chunk); start again at 0.
        case snapshotResponse = 9
        /// Leadership transfer: the leader tells its up-to-date follower to campaign now, skipping PreVote.
        case timeoutNow = 10
    }

    /// The `context` of a vote request sent by a node that campaigns on its leader's `timeoutNow`.
    public static let transferCampaign: ReadContext = 1

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
    /// A snapshot chunk (`.snapshot`), or the follower's position in one (`.snapshotResponse`); nil
    /// for every other kind.
    public var snapshot: SnapshotChunk? {
        get { snapshotBox?.value }
        set { snapshotBox = newValue.map(SnapshotChunkBox.init) }
    }
    /// Whether `snapshot` is set (without unboxing it).
    public var carriesSnapshot: Bool { snapshotBox != nil }
    /// `snapshot`, boxed: rare, and some sixty bytes inline, it made every message (copied at every
    /// send and delivery) half as large again.
    private var snapshotBox: SnapshotChunkBox?

    /// Whether this message asks for a (pre-)vote.
    public var isVoteRequest: Bool { kind == .vote || kind == .preVote }

    /// Whether only a leader sends this kind (append, heartbeat, snapshot).
    public var isFromLeader: Bool { kind == .append || kind == .heartbeat || kind == .snapshot }

    /// Approximate encoded size in bytes.
    public var byteSize: Int { entries.reduce(64 + (snapshot?.byteSize ?? 0)) { $0 + $1.byteSize } }
}

// The public initializer lives in an extension so that the struct keeps its synthesized
// memberwise initializer, which it calls: a struct this large (twelve fields, two of them
// references) built field by field in its own `init` was built twice, copied (retaining its
// entries and snapshot) and the first destroyed, at every message the core sends (callgrind:
// about 17 instructions a message, 2 M in the bench's runs).
extension Message {
    public init(kind: Kind, from: NodeID, to: NodeID, term: Term,
                logTerm: Term = 0, index: LogIndex = 0, commit: LogIndex = 0,
                entries: [Entry] = [], reject: Bool = false, rejectHint: LogIndex = 0,
                context: ReadContext = 0, snapshot: SnapshotChunk? = nil) {
        self.init(kind: kind, from: from, to: to, term: term, logTerm: logTerm, index: index, commit: commit,
                  entries: entries, reject: reject, rejectHint: rejectHint, context: context,
                  snapshotBox: snapshot.map(SnapshotChunkBox.init))
    }
}

extension Message: CustomStringConvertible {
    public var description: String {
        var s = "\(kind) \(from)->\(to) t\(term)"
        switch kind {
        case .preVote, .vote: s += " last=\(index)@t\(logTerm)" + (kind == .vote && context == Self.transferCampaign ? " transfer" : "")
        case .preVoteResponse, .voteResponse: s += reject ? " reject" : " grant"
        case .append: s += " prev=\(index)@t\(logTerm) n=\(entries.count) commit=\(commit)"
        case .appendResponse: s += reject ? " reject \(index) hint=\(rejectHint)@t\(logTerm)" : " ok \(index)"
        case .heartbeat: s += " commit=\(commit) ctx=\(context)"
        case .heartbeatResponse: s += " ctx=\(context)"
        case .snapshot:
            if let c = snapshot {
                s += " snap=\(c.metadata) off=\(c.offset) n=\(c.data.count)" + (c.done ? " done" : "")
            }
        case .snapshotResponse:
            if let c = snapshot { s += " snap=\(c.metadata)" + (reject ? " reject" : " have=\(c.offset)") }
        case .timeoutNow: break
        }
        return s
    }
}

/// A `SnapshotChunk` behind one pointer, compared and hashed by value (see `Message.snapshot`).
struct SnapshotChunkBox: Sendable, Hashable {
    private final class Storage: Sendable {
        let value: SnapshotChunk
        init(_ value: SnapshotChunk) { self.value = value }
    }
    private let storage: Storage

    init(_ value: SnapshotChunk) { storage = Storage(value) }

    var value: SnapshotChunk { storage.value }

    static func == (a: SnapshotChunkBox, b: SnapshotChunkBox) -> Bool { a.storage === b.storage || a.value == b.value }
    func hash(into h: inout Hasher) { value.hash(into: &h) }
}
