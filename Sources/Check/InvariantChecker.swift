import KV
import RaftCore

/// Checks Raft's safety properties while a cluster runs, incrementally: each call costs time in
/// proportion to what is new (entries persisted or applied, acknowledgements), never to the log length.
///
/// The driver reports every processed `Ready` through `afterReady`, cheap observations through
/// `observe`, crashes through `restarted`, and acknowledged writes through `acknowledgedWrite`.
/// Properties checked, by the names used in `Violation.invariant`:
/// - "election safety": at most one leader per term, over the whole run, and a node becomes leader
///   only as a voter of the configuration in force in its log (membership changes: single-server
///   changes keep one leader per term; the configurations come from the core, `RaftNode.membership`);
/// - "log matching": two persisted entries with the same index and term carry the same command
///   and follow entries of the same term; a snapshot's index and term (taken, installed or restored)
///   agree with every other snapshot at that index and with the entry applied there, and the entry
///   after it in a log follows its term;
/// - "leader completeness": a new leader's log, or its snapshot, holds the highest entry known
///   committed anywhere by a node whose term was lower than the new leader's (an entry committed in
///   term T need only be in leaders of terms above T; a node observing a commit in term T saw it
///   committed in T or earlier); an entry at the snapshot's index must have the snapshot's term;
/// - "state machine safety": no two nodes apply different entries at one index, and no two
///   snapshots of one index hold different states;
/// - "state machine failure": a node's state machine could not load a snapshot;
/// - "commit monotonic" / "applied monotonic": per node incarnation, these never go back;
/// - "acknowledged write lost": an acknowledged write is at its index in every log committed past it.
public final class InvariantChecker {
    /// The seed of the run, reported in every violation.
    public let seed: UInt64
    /// Every violation found, in the order found.
    public private(set) var violations: [Violation] = []
    /// How many individual checks ran (a measure of coverage).
    public private(set) var checks: Int = 0

    /// The first violation found, if any.
    public var firstViolation: Violation? { violations.first }

    /// Whether a violation was found: what a driver's event loop asks after every event (cheaper
    /// than `firstViolation`, which copies one out).
    public private(set) var hasViolation = false

    private struct IndexTerm: Hashable {
        var index: LogIndex
        var term: Term
    }

    private struct LogRecord {
        var hash: UInt64
        var prevTerm: Term?
        var node: NodeID
    }

    private struct AppliedRecord {
        var term: Term
        var hash: UInt64
        var node: NodeID
    }

    /// A snapshot seen at an index: its term, a hash of its data, and the first node that had it.
    private struct SnapshotRecord {
        var term: Term
        var hash: UInt64
        var node: NodeID
    }

    private struct Ack {
        var index: LogIndex
        var data: [UInt8]
        var hash: UInt64
    }

    /// What is tracked per node incarnation: plain numbers, read and written after every step
    /// (no reference inside, so a copy costs nothing).
    fileprivate struct NodeTrack {
        var commit: LogIndex = 0
        var applied: LogIndex = 0
        var lastAppliedEntry: LogIndex = 0
        /// The (term, commit index) this node last reported to `committedSeenInTerm`: a report of the
        /// same term and no higher commit changes nothing there, so it skips the dictionary.
        var reportedTerm: Term = 0
        var reportedCommit: LogIndex = 0
        /// The term this node was last seen leading (checked in `leaderOfTerm`), 0 if none.
        var ledTerm: Term = 0
    }

    /// Where each node incarnation is in the acknowledged writes.
    private struct AckTrack {
        /// Acknowledgements up to this position of `acks` were looked at for this node.
        var ackCursor = 0
        /// Acknowledgements above this node's commit index when looked at: (log index, position in `acks`).
        var ackWaiting = MinHeap()
    }

    private var leaderOfTerm: [Term: NodeID] = [:]
    private var reportedTerms: Set<Term> = []
    /// The first entry persisted at each index (most indices only ever hold one term), by index;
    /// entries of other terms at an index in `otherLogRecords`.
    private var logRecords = IndexedRecords<(term: Term, record: LogRecord)>()
    private var otherLogRecords: [IndexTerm: LogRecord] = [:]
    private var reportedLogConflicts: Set<IndexTerm> = []
    private struct CommitMark {
        var index: LogIndex
        var entryTerm: Term
        var node: NodeID
    }
    /// For each term a node was in when it reported a commit index: the highest such index.
    private var committedSeenInTerm: [Term: CommitMark] = [:]
    /// The term last written in `committedSeenInTerm` and the index it holds there: most reports are
    /// of that term and below that index, and need no lookup (hashing the term cost about 140
    /// instructions a report; callgrind of `raftsh bench sim`).
    private var lastSeenMark: (term: Term, index: LogIndex) = (0, 0)
    private var appliedAt = IndexedRecords<AppliedRecord>()
    private var snapshotAt: [LogIndex: SnapshotRecord] = [:]
    private var reportedSnapshots: Set<LogIndex> = []
    private var reportedApplied: Set<LogIndex> = []
    /// Per node, at the node's id (nil: none yet). A plain array of plain values: read and written
    /// after every step, where the accessors of `NodeSlots` (coroutines) cost more than the check.
    private var tracks = TrackArray()
    /// Per node, in slots indexed by id; taken out while changed (`take`), so a heap is never copied.
    private var ackTracks = NodeSlots<AckTrack>()
    private var acks: [Ack] = []
    /// The first acknowledgement at each index.
    private var ackAt = IndexedRecords<Ack>()
    /// (index, node) pairs already reported as a lost acknowledged write.
    private var reportedLostAcks: Set<IndexNode> = []

    private struct IndexNode: Hashable {
        var index: LogIndex
        var node: NodeID
    }

    /// A checker for a run with `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    // MARK: - Driver API

    /// Called by the driver after it persisted and applied a Ready of node `raft` (already advanced).
    /// `ready` is what was processed; `applied` the entries it applied.
    public func afterReady(_ raft: RaftNode, ready: Ready, applied: [Entry], at time: Timestamp) {
        let id = raft.id
        noteRole(node: id, role: raft.role, term: raft.term, at: time)
        if let s = ready.snapshot {
            noteSnapshot(node: id, metadata: s.metadata, data: s.data, at: time)
            if ready.installsSnapshot {
                var track = tracks[id] ?? NodeTrack()
                track.lastAppliedEntry = max(track.lastAppliedEntry, s.index)
                tracks[id] = track
            }
        }
        if let first = ready.entries.first {
            // The log still holds what was persisted unless it changed since; only then is the
            // term before the first entry known.
            var prevTerm: Term?
            if raft.logTerm(at: first.index) == first.term {
                prevTerm = first.index <= 1 ? 0 : raft.logTerm(at: first.index - 1)
            }
            notePersisted(node: id, entries: ready.entries, prevTermOfFirst: prevTerm, at: time)
        }
        if ready.softState?.role == .leader, raft.role == .leader {
            // Election with the configuration in force: only a voter of it may have won.
            checks += 1
            if !raft.membership.voters.contains(id) {
                record("election safety", nodes: [id], at: time,
                       "node \(id) became leader of term \(raft.term) but is not a voter of its configuration (\(raft.membership))")
            }
            let log = raft.log
            noteBecameLeader(node: id, term: raft.term, at: time) { index in
                index < log.offset ? nil : log.term(at: index)
            } compacted: { index in index < log.offset }
        }
        noteApplied(node: id, entries: applied, at: time)
        observe(raft, at: time)
    }

    /// Called after any step even without a Ready (cheap checks only).
    public func observe(_ raft: RaftNode, at time: Timestamp) {
        let id = raft.id, term = raft.term
        if raft.role == .leader { noteRole(node: id, role: .leader, term: term, at: time) }
        let commit = raft.commitIndex
        noteProgress(node: id, term: term, commit: commit, commitTerm: raft.logTerm(at: commit),
                     applied: raft.appliedIndex, at: time)
    }

    /// Node `node` holds a snapshot (`metadata`, `data`): one it took, installed, or restarted from.
    /// Checks it against every other snapshot of that index and the entry applied there.
    public func noteSnapshot(node: NodeID, metadata: SnapshotMetadata, data: [UInt8], at time: Timestamp) {
        let index = metadata.index
        guard index > 0 else { return }
        checks += 1
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        if let known = snapshotAt[index] {
            if known.term != metadata.term, reportedSnapshots.insert(index).inserted {
                record("log matching", nodes: [known.node, node], at: time,
                       "node \(node) holds a snapshot at index \(index) of term \(metadata.term), node \(known.node) one of term \(known.term)")
            } else if known.hash != h, reportedSnapshots.insert(index).inserted {
                record("state machine safety", nodes: [known.node, node], at: time,
                       "the snapshots of nodes \(known.node) and \(node) at index \(index) hold different states")
            }
        } else {
            snapshotAt[index] = SnapshotRecord(term: metadata.term, hash: h, node: node)
        }
        if let applied = appliedAt[index], applied.term != metadata.term, reportedSnapshots.insert(index).inserted {
            record("log matching", nodes: [applied.node, node], at: time,
                   "node \(node) holds a snapshot at index \(index) of term \(metadata.term), but node \(applied.node) applied an entry of term \(applied.term) there")
        }
    }

    /// Node `node`'s state machine failed (`detail` says how); the run cannot go on.
    public func nodeFailed(node: NodeID, detail: String, at time: Timestamp) {
        record("state machine failure", nodes: [node], at: time, detail)
    }

    /// The node crashed and restarted: per-incarnation monotonic checks (commit, applied) restart.
    public func restarted(_ id: NodeID) {
        tracks[id] = NodeTrack()
        ackTracks[id] = AckTrack()
    }

    /// A client got an ok for this write, which applied at log index `index` with command bytes `data`.
    public func acknowledgedWrite(index: LogIndex, data: [UInt8], at time: Timestamp) {
        let hash = entryHash(kind: .normal, data: data)
        checks += 1
        let ack = Ack(index: index, data: data, hash: hash)
        if let applied = appliedAt[index], applied.hash != hash {
            reportLostAck(ack, node: applied.node, at: time,
                          "write \(describeCommand(data)) acknowledged at index \(index), but node \(applied.node) applied a different entry there (term \(applied.term))")
        }
        if ackAt[index] == nil { ackAt[index] = ack }
        acks.append(ack)
    }

    /// Check that every acknowledged write is present at its index in `log` of a node that has committed past it.
    public func checkAcknowledgedWrites(on raft: RaftNode, at time: Timestamp) {
        let id = raft.id
        let log = raft.log
        var track = ackTracks.take(id) ?? AckTrack()
        while track.ackCursor < acks.count {
            let position = track.ackCursor
            track.ackCursor += 1
            if acks[position].index <= log.committed {
                verifyAck(position, on: id, log: log, at: time)
            } else {
                track.ackWaiting.push(acks[position].index, position)
            }
        }
        while let top = track.ackWaiting.peek, top.key <= log.committed {
            track.ackWaiting.pop()
            verifyAck(top.value, on: id, log: log, at: time)
        }
        ackTracks[id] = track
    }

    // MARK: - Checks on plain values (also the test hooks)

    /// Election safety: `node` is `role` in `term`.
    func noteRole(node: NodeID, role: Role, term: Term, at time: Timestamp) {
        guard role == .leader else { return }
        checks += 1
        // Seen leading this term already: checked then, and `leaderOfTerm` cannot have changed since
        // (it keeps the first leader of a term).
        if var track = tracks[node] {
            if track.ledTerm == term { return }
            track.ledTerm = term
            tracks[node] = track
        }
        if let other = leaderOfTerm[term] {
            if other != node, reportedTerms.insert(term).inserted {
                record("election safety", nodes: [other, node], at: time,
                       "nodes \(min(other, node)) and \(max(other, node)) both led term \(term)")
            }
        } else {
            leaderOfTerm[term] = node
        }
    }

    /// Log matching: `node` persisted `entries` (consecutive), the first following an entry of
    /// term `prevTermOfFirst` (nil if unknown).
    func notePersisted(node: NodeID, entries: [Entry], prevTermOfFirst: Term?, at time: Timestamp) {
        var prevTerm = prevTermOfFirst
        var prevIndex = entries.first.map { $0.index &- 1 }
        for e in entries {
            if e.index != prevIndex.map({ $0 &+ 1 }) { prevTerm = nil }
            checks += 1
            let key = IndexTerm(index: e.index, term: e.term)
            let hash = entryHash(kind: e.kind, data: e.data)
            if var known = logRecord(key) {
                if known.hash != hash {
                    reportLogConflict(key, nodes: [known.node, node], at: time,
                                      "entry \(e.index) of term \(e.term) on node \(node) differs from the one node \(known.node) persisted: \(describeEntry(e))")
                } else if let a = known.prevTerm, let b = prevTerm, a != b {
                    reportLogConflict(key, nodes: [known.node, node], at: time,
                                      "entry \(e.index) of term \(e.term) follows an entry of term \(b) on node \(node) but of term \(a) on node \(known.node)")
                } else if known.prevTerm == nil, prevTerm != nil {
                    known.prevTerm = prevTerm
                    setLogRecord(known, key)
                }
            } else {
                setLogRecord(LogRecord(hash: hash, prevTerm: prevTerm, node: node), key)
            }
            prevTerm = e.term
            prevIndex = e.index
        }
    }

    /// Leader completeness: `node` just became leader of `term`; `termAt` reads its log and
    /// `compacted` says whether an index is covered by its snapshot.
    func noteBecameLeader(node: NodeID, term: Term, at time: Timestamp,
                          termAt: (LogIndex) -> Term?, compacted: (LogIndex) -> Bool) {
        var best: CommitMark?
        for seenTerm in committedSeenInTerm.keys.sorted() where seenTerm < term {
            let mark = committedSeenInTerm[seenTerm]!
            if mark.index > (best?.index ?? 0) { best = mark }
        }
        guard let c = best, c.index > 0 else { return }
        checks += 1
        if compacted(c.index) { return }
        let held = termAt(c.index)
        if held != c.entryTerm {
            let what = held.map { "has term \($0) there" } ?? "does not hold it"
            record("leader completeness", nodes: [node, c.node], at: time,
                   "node \(node) became leader of term \(term) but lacks committed entry \(c.index) of term \(c.entryTerm) (committed on node \(c.node)); its log \(what)")
        }
    }

    /// State machine safety and applied order: `node` applied `entries`.
    func noteApplied(node: NodeID, entries: [Entry], at time: Timestamp) {
        guard !entries.isEmpty else { return }
        var track = tracks[node] ?? NodeTrack()
        for e in entries {
            checks += 2
            if e.index <= track.lastAppliedEntry {
                record("applied monotonic", nodes: [node], at: time,
                       "node \(node) applied entry \(e.index) after entry \(track.lastAppliedEntry)")
            }
            track.lastAppliedEntry = max(track.lastAppliedEntry, e.index)
            let hash = entryHash(kind: e.kind, data: e.data)
            if let known = appliedAt[e.index] {
                if (known.term != e.term || known.hash != hash), reportedApplied.insert(e.index).inserted {
                    record("state machine safety", nodes: [known.node, node], at: time,
                           "node \(node) applied \(describeEntry(e)) at index \(e.index), node \(known.node) applied an entry of term \(known.term) with different content")
                }
            } else {
                appliedAt[e.index] = AppliedRecord(term: e.term, hash: hash, node: node)
                if let s = snapshotAt[e.index], s.term != e.term, reportedSnapshots.insert(e.index).inserted {
                    record("log matching", nodes: [s.node, node], at: time,
                           "node \(node) applied an entry of term \(e.term) at index \(e.index), but node \(s.node) holds a snapshot of term \(s.term) there")
                }
            }
            if let ack = ackAt[e.index], ack.hash != hash || e.kind != .normal {
                reportLostAck(ack, node: node, at: time,
                              "write \(describeCommand(ack.data)) acknowledged at index \(e.index), but node \(node) applied \(describeEntry(e)) there")
            }
        }
        tracks[node] = track
    }

    /// Commit and applied monotonic, and the highest committed entry: `node`, in `term`, has committed
    /// up to `commit` (whose entry has `commitTerm`, nil if not held) and applied up to `applied`.
    func noteProgress(node: NodeID, term: Term, commit: LogIndex, commitTerm: Term?, applied: LogIndex,
                      at time: Timestamp) {
        let slot = tracks.slot(node)
        let track = tracks[at: slot]
        checks += 2
        if commit < track.commit {
            record("commit monotonic", nodes: [node], at: time,
                   "node \(node) commit index went back from \(track.commit) to \(commit) without a restart")
        }
        if applied < track.applied {
            record("applied monotonic", nodes: [node], at: time,
                   "node \(node) applied index went back from \(track.applied) to \(applied) without a restart")
        }
        tracks[at: slot].commit = commit
        tracks[at: slot].applied = applied
        // `committedSeenInTerm[term]` only grows: once this node reported `reportedCommit` in this
        // term, it holds at least that.
        let seen = track.reportedTerm == term && commit <= track.reportedCommit
        if !seen, commitTerm != nil {
            tracks[at: slot].reportedTerm = term
            tracks[at: slot].reportedCommit = commit
        }
        if !seen, let t = commitTerm {
            let known = term == lastSeenMark.term ? lastSeenMark.index : (committedSeenInTerm[term]?.index ?? 0)
            if commit > known {
                committedSeenInTerm[term] = CommitMark(index: commit, entryTerm: t, node: node)
                lastSeenMark = (term, commit)
            }
        }
    }

    // MARK: - Helpers

    private func logRecord(_ key: IndexTerm) -> LogRecord? {
        guard let first = logRecords[key.index] else { return nil }
        return first.term == key.term ? first.record : otherLogRecords[key]
    }

    private func setLogRecord(_ record: LogRecord, _ key: IndexTerm) {
        if let first = logRecords[key.index], first.term != key.term {
            otherLogRecords[key] = record
        } else {
            logRecords[key.index] = (key.term, record)
        }
    }

    private func verifyAck(_ position: Int, on node: NodeID, log: RaftLog, at time: Timestamp) {
        let ack = acks[position]
        checks += 1
        if ack.index <= log.offset { return }  // covered by a snapshot
        let entry = log.entry(at: ack.index)
        if let entry, entry.kind == .normal, entry.data == ack.data { return }
        let held = entry.map(describeEntry) ?? "nothing"
        reportLostAck(ack, node: node, at: time,
                      "write \(describeCommand(ack.data)) acknowledged at index \(ack.index), but node \(node) (commit \(log.committed)) holds \(held) there")
    }

    private func reportLostAck(_ ack: Ack, node: NodeID, at time: Timestamp, _ detail: String) {
        guard reportedLostAcks.insert(IndexNode(index: ack.index, node: node)).inserted else { return }
        record("acknowledged write lost", nodes: [node], at: time, detail)
    }

    private func reportLogConflict(_ key: IndexTerm, nodes: [NodeID], at time: Timestamp, _ detail: String) {
        guard reportedLogConflicts.insert(key).inserted else { return }
        record("log matching", nodes: nodes, at: time, detail)
    }

    private func record(_ invariant: String, nodes: [NodeID], at time: Timestamp, _ detail: String) {
        hasViolation = true
        violations.append(Violation(invariant: invariant, nodes: nodes, detail: detail, time: time, seed: seed))
    }
}

/// FNV-1a over an entry's kind and data: stable across runs and platforms.
func entryHash(kind: EntryKind, data: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    h = (h ^ UInt64(kind.rawValue)) &* 0x0000_0100_0000_01b3
    for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}

/// An entry for a violation message: `put x 1 (client 3 seq 7) @t2`, `noop @t2`.
func describeEntry(_ e: Entry) -> String {
    switch e.kind {
    case .noop: return "noop @t\(e.term)"
    case .config: return "config entry @t\(e.term)"
    case .normal: return "\(describeCommand(e.data)) @t\(e.term)"
    }
}

/// A command's bytes as `put x 1 (client 3 seq 7)`, or their size if they do not decode.
func describeCommand(_ data: [UInt8]) -> String {
    if let c = try? Command.decode(data) {
        return "\(describeOperation(c.op)) (client \(c.client) seq \(c.seq))"
    }
    return "\(data.count)-byte command"
}

/// `InvariantChecker`'s per-node tracks: an optional value per node id, grown on demand.
private struct TrackArray {
    private var items: [InvariantChecker.NodeTrack?] = []

    subscript(id: NodeID) -> InvariantChecker.NodeTrack? {
        get { id < UInt64(items.count) ? items[Int(id)] : nil }
        set {
            if id >= UInt64(items.count) {
                guard newValue != nil else { return }
                precondition(id <= NodeSlots<Int>.maxID, "node id \(id) is too large for a slot")
                items.append(contentsOf: repeatElement(nil, count: Int(id) - items.count + 1))
            }
            items[Int(id)] = newValue
        }
    }

    /// The position of `id`'s track, made an empty one first if it had none: for reading and
    /// changing it in place through `subscript(at:)` (a copy out and back in cost about 50
    /// instructions per report).
    mutating func slot(_ id: NodeID) -> Int {
        if id >= UInt64(items.count) || items[Int(id)] == nil { self[id] = InvariantChecker.NodeTrack() }
        return Int(id)
    }

    /// The track at `slot`, which `slot(_:)` returned.
    subscript(at slot: Int) -> InvariantChecker.NodeTrack {
        get { items[slot]! }
        _modify { yield &items[slot]! }
    }
}

/// A binary min-heap of (key, value) pairs, smallest key (then value) first.
struct MinHeap {
    private var items: [(key: LogIndex, value: Int)] = []

    var peek: (key: LogIndex, value: Int)? { items.first }
    var count: Int { items.count }

    private static func less(_ a: (key: LogIndex, value: Int), _ b: (key: LogIndex, value: Int)) -> Bool {
        (a.key, a.value) < (b.key, b.value)
    }

    mutating func push(_ key: LogIndex, _ value: Int) {
        items.append((key, value))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, Self.less(items[l], items[smallest]) { smallest = l }
            if r < items.count, Self.less(items[r], items[smallest]) { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
    }
}
