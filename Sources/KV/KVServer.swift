import RaftCore

/// The driver-side logic shared by the simulator and the real UDP node: a `RaftNode` plus the
/// key-value store, the client writes waiting for their entry to apply, and the reads waiting
/// for ReadIndex confirmation.
///
/// A driver loops: feed `raft` ticks and messages and `receive(_:)` client requests; then, while
/// `ready()` returns a value, persist its snapshot, entries and hard state (syncing if `mustSync`),
/// send its messages, and call `advance(_:)`, which applies (a snapshot from the leader first) and
/// answers clients, and takes a snapshot when `snapshotEvery` entries have applied since the last.
public final class KVServer {
    /// The consensus core this server drives.
    public let raft: RaftNode
    /// The state machine, holding every committed entry applied so far.
    public private(set) var store: KVStore
    /// Take a snapshot (and compact the log) whenever this many entries have applied since the
    /// latest snapshot; nil: only when asked (`takeSnapshot()`).
    public var snapshotEvery: LogIndex?
    /// Whether `advance` lists the commands it applied in `ServerOutput.commands` (off by default:
    /// no driver reads them, and building the list cost about 45 instructions per applied entry,
    /// callgrind of `raftsh bench sim`). Tests that look at what was applied turn it on.
    public var recordsCommands = false
    /// The driver's hash of its log up to an index (nil or a nil answer: none), stored in the
    /// metadata of every snapshot this server takes (`SnapshotMetadata.logHash`). raftd gives its
    /// `LogHashChain`, so that nodes that install or restart from the snapshot know the hash there.
    public var logHash: ((LogIndex) -> UInt64?)?
    /// Why this server stopped: a snapshot from the leader did not decode. The driver must stop the
    /// node (its state machine no longer follows the log); nil while all is well.
    public private(set) var failure: String?

    private struct WriteKey: Hashable {
        var client: ClientID
        var seq: UInt64
    }

    private struct WriteWaiter {
        /// Where the proposal sits in the log, and its term.
        var index: LogIndex
        var term: Term
        /// Registration order, for a deterministic order of replies.
        var ticket: UInt64
    }

    private struct ReadWaiter {
        var client: ClientID
        var seq: UInt64
        var key: String
    }

    private var writes: [WriteKey: WriteWaiter] = [:]
    private var reads: [ReadContext: ReadWaiter] = [:]
    /// Reads a quorum confirmed, in confirmation order, waiting for the store to reach their index.
    private var confirmedReads: [ReadState] = []
    /// The latest admin request of each client and its answer, so that a retried request (same
    /// `(client, seq)`) gets the same answer instead of being made twice.
    private var adminAnswers: [ClientID: ClientReply] = [:]
    private var nextTicket: UInt64 = 0
    private var nextContext: ReadContext = 1

    /// A server around `raft`. Its store starts from `raft`'s latest snapshot (the one it restarted
    /// from), or empty; a restarted node re-applies the committed entries after it from the first
    /// `Ready`. Sessions expire after `sessionTTL` idle entries (the same on every replica).
    /// Throws when the snapshot's data is not a valid store snapshot of its index.
    public init(raft: RaftNode, sessionTTL: LogIndex = KVStore.defaultSessionTTL,
                snapshotEvery: LogIndex? = nil) throws(KVSnapshotError) {
        self.raft = raft
        self.snapshotEvery = snapshotEvery
        self.store = try Self.restore(raft.log.snapshot, sessionTTL: sessionTTL)
    }

    /// The store a snapshot holds: empty at index 0, or when the snapshot has no data (a log that was
    /// only made to start after a point, as tests do).
    private static func restore(_ snapshot: Snapshot, sessionTTL: LogIndex) throws(KVSnapshotError) -> KVStore {
        guard !snapshot.data.isEmpty else {
            var store = KVStore(sessionTTL: sessionTTL)
            store.appliedIndex = snapshot.index
            return store
        }
        let store = try KVStore(snapshot: snapshot.data, sessionTTL: sessionTTL)
        guard store.appliedIndex == snapshot.index else {
            throw .malformed("the snapshot at index \(snapshot.index) holds a store applied up to \(store.appliedIndex)")
        }
        return store
    }

    /// Takes a snapshot of the store now and compacts the log up to what it applied; returns its
    /// index, or nil if nothing was applied since the latest snapshot. The next `ready()` hands it
    /// out to be stored.
    @discardableResult
    public func takeSnapshot() -> LogIndex? {
        let index = store.appliedIndex
        guard failure == nil, index > raft.snapshotIndex, index == raft.appliedIndex else { return nil }
        do {
            return try raft.compact(to: index, data: store.snapshot(), logHash: logHash?(index) ?? 0) ? index : nil
        } catch {
            return nil
        }
    }

    /// This node's id.
    public var id: NodeID { raft.id }

    /// Waiting writes plus waiting reads.
    public var pendingCount: Int { writes.count + reads.count }

    /// Waiting writes.
    public var pendingWrites: Int { writes.count }

    /// Waiting reads.
    public var pendingReads: Int { reads.count }

    /// A client request arrives. Returns the replies that can be sent at once:
    /// - `.notLeader(leader: raft.leader)` when this node does not lead;
    /// - for a write without a session (`ClientRequest.noSession`), or whose session has expired and
    ///   cannot start again: `.sessionExpired` with the commit index as where a new session may start;
    /// - for a write whose seq the client's session already covers: the cached result if it is the
    ///   last applied seq (with the index where it applied), `.failed` if it is older (superseded);
    /// - a refused proposal: `.notLeader` or `.failed(description)`.
    ///
    /// Otherwise it returns no reply: a write is proposed (once per `(client, seq)` while it waits here)
    /// and answered by `advance(_:)` when it applies; a get starts a ReadIndex round with a fresh
    /// nonzero context and is answered once confirmed and the store has caught up.
    public func receive(_ request: ClientRequest) -> [ClientReply] {
        guard raft.role == .leader, failure == nil else {
            return [reply(request, .notLeader(leader: failure == nil ? raft.leader : noNode))]
        }
        if let admin = request.admin { return [answer(admin, for: request)] }
        if request.op.isRead {
            if raft.config.bug == .staleRead {
                // The known bug `stale-read`: answer from local state, no ReadIndex round.
                return [reply(request, .done(.value(store.get(request.op.key))), index: store.appliedIndex)]
            }
            let context = nextContext
            nextContext = nextContext == .max ? 1 : nextContext + 1
            do {
                try raft.readIndex(context)
            } catch {
                return [reply(request, outcome(for: error))]
            }
            reads[context] = ReadWaiter(client: request.client, seq: request.seq, key: request.op.key)
            return []
        }
        let session = store.session(client: request.client)
        if let session, session.start == request.session {
            if request.seq <= session.seq {
                if request.seq == session.seq {
                    return [reply(request, .done(session.result), index: session.index)]
                }
                return [reply(request, .failed(supersededReason(client: request.client, seq: request.seq)))]
            }
        } else if !store.isFresh(session: request.session, at: raft.lastIndex + 1) {
            // Wherever it lands, the entry would be refused (a request without a session, too): do not
            // propose it.
            return [reply(request, .sessionExpired(session: request.session), index: raft.commitIndex)]
        }
        let key = WriteKey(client: request.client, seq: request.seq)
        if writes[key] != nil { return [] }
        do {
            let (index, term) = try raft.propose(Command(request).encode())
            writes[key] = WriteWaiter(index: index, term: term, ticket: nextTicket)
            nextTicket += 1
            return []
        } catch {
            return [reply(request, outcome(for: error))]
        }
    }

    /// `raft.ready()` if `raft.hasReady` (and the server has not failed), else nil. The driver
    /// persists `snapshot`, `entries` and `hardState` (syncing first if `mustSync`) and sends
    /// `messages`, then calls `advance(_:)`.
    public func ready() -> Ready? {
        hasReady ? raft.ready() : nil
    }

    /// Whether the core has a `Ready` for the driver and the server has not failed.
    public var hasReady: Bool { failure == nil && raft.hasReady }

    /// Finish a `Ready` the driver has persisted and sent:
    /// 1. load `snapshotToApply` into the store (if it does not decode, `failure` is set and nothing
    ///    more is applied or answered: the driver must stop the node);
    ///    apply `committedEntries` to the store, answering waiting writes with `.done(result)` and the
    ///    index where they applied (writes a later seq of their client superseded get `.failed`,
    ///    writes whose session expired get `.sessionExpired`);
    /// 2. queue `readStates`, answer `droppedReads` with `.notLeader`, and answer every confirmed read
    ///    whose index the store has reached with `.done(.value(...))` and the read index;
    /// 3. if this node no longer leads, answer every waiting write and read with `.notLeader(leader:)`
    ///    (the client retries with the same seq; sessions make that safe); a leader likewise answers
    ///    writes whose entry is no longer in its log;
    /// 4. `raft.advance(rd)`;
    /// 5. take a snapshot if `snapshotEvery` entries have applied since the latest one.
    public func advance(_ rd: Ready) -> ServerOutput {
        var out = ServerOutput()
        advance(rd, into: &out)
        return out
    }

    /// `advance(_:)` writing into `out`, which must be empty (`ServerOutput()`): what `drain` calls.
    /// (Returned, the output was copied into the result, retaining its three arrays, and the
    /// original destroyed, at every Ready with something to apply or answer: about 240
    /// instructions each, callgrind of `raftsh bench sim`; `return consume out` does not compile.)
    private func advance(_ rd: Ready, into out: inout ServerOutput) {
        if movesOnlyTheCore(rd) {
            raft.advance(rd)
            if snapshotDue { out.snapshotTaken = takeSnapshot() }
            return
        }
        if let snapshot = rd.snapshotToApply, failure == nil {
            do {
                store = try Self.restore(snapshot, sessionTTL: store.sessionTTL)
                out.installed = snapshot.index
            } catch {
                failure = "node \(id): the snapshot at index \(snapshot.index) from the leader does not decode: \(error)"
            }
        }
        if let failure {
            out.failure = failure
            return
        }

        out.applied = rd.committedEntries  // every one, applied or not (shares the Ready's buffer)
        var applied = AppliedCommand.placeholder  // written over by each entry that applies
        for entry in rd.committedEntries {
            guard store.apply(entry, into: &applied) else { continue }
            if recordsCommands { out.commands.append(applied) }
            let key = WriteKey(client: applied.command.client, seq: applied.command.seq)
            // (A follower waits on no writes: skip hashing the key there.)
            guard !applied.command.op.isRead, !writes.isEmpty, writes.removeValue(forKey: key) != nil else { continue }
            if applied.expired {
                out.replies.append(ClientReply(client: key.client, seq: key.seq,
                                               outcome: .sessionExpired(session: applied.command.session),
                                               index: store.appliedIndex))
                continue
            }
            var index = applied.index
            if applied.duplicate {
                index = store.session(client: key.client).map { $0.seq == key.seq ? $0.index : 0 } ?? 0
            }
            out.replies.append(ClientReply(client: key.client, seq: key.seq, outcome: .done(applied.result),
                                           index: index))
        }
        if !rd.committedEntries.isEmpty {
            let superseded = takeWrites { key, _ in key.seq < self.store.lastSeq(client: key.client) }
            for key in superseded {
                out.replies.append(ClientReply(client: key.client, seq: key.seq,
                                               outcome: .failed(supersededReason(client: key.client, seq: key.seq))))
            }
        }

        let leaderHint = rd.softState?.leader ?? raft.leader
        for state in rd.readStates where reads[state.context] != nil {
            confirmedReads.append(state)
        }
        for context in rd.droppedReads {
            guard let waiter = reads.removeValue(forKey: context) else { continue }
            confirmedReads.removeAll { $0.context == context }
            out.replies.append(ClientReply(client: waiter.client, seq: waiter.seq,
                                           outcome: .notLeader(leader: leaderHint)))
        }
        serveReads(into: &out.replies)

        let leading = raft.role == .leader && (rd.softState?.role ?? .leader) == .leader
        let lostWrites: [WriteKey]
        if leading {
            // Still leading, but possibly in a later term after losing leadership in between: a write
            // whose entry was replaced in the log will never apply.
            let raft = raft
            lostWrites = takeWrites { _, w in raft.logTerm(at: w.index) != w.term }
        } else {
            lostWrites = takeWrites { _, _ in true }
        }
        for key in lostWrites {
            out.replies.append(ClientReply(client: key.client, seq: key.seq, outcome: .notLeader(leader: leaderHint)))
        }
        if !leading && !(reads.isEmpty && confirmedReads.isEmpty) {
            for context in reads.keys.sorted() {
                let waiter = reads[context]!
                out.replies.append(ClientReply(client: waiter.client, seq: waiter.seq,
                                               outcome: .notLeader(leader: leaderHint)))
            }
            reads.removeAll()
            confirmedReads.removeAll()
        }

        raft.advance(rd)
        if snapshotDue { out.snapshotTaken = takeSnapshot() }
    }

    /// Whether `rd` has nothing to apply or answer: no role, term or commit change, no snapshot, no
    /// read. Steps 1 to 3 of `advance` would find nothing (a follower holds no waiting write or read;
    /// a leader's log only grew since the Ready that made it leader checked its writes), so only the
    /// core and the snapshot schedule move. Most Readies of a running cluster are of this kind (an
    /// answer to send, entries to store).
    private func movesOnlyTheCore(_ rd: Ready) -> Bool {
        failure == nil && rd.changesOnlyLogAndMessages
    }

    /// Whether `snapshotEvery` entries have applied since the latest snapshot.
    private var snapshotDue: Bool {
        guard let every = snapshotEvery else { return false }
        return store.appliedIndex >= raft.snapshotIndex + max(1, every)
    }

    /// What `advance` makes of a Ready with nothing to apply or answer and no snapshot due.
    private static let noOutput = ServerOutput()

    /// The driver's loop, the same in every driver: for each `Ready` the core has, persist it (a
    /// throwing `persist` stops the loop before anything is sent), send its messages, apply and
    /// `advance`, hand the result to `processed`, then answer clients through `reply`.
    /// `send` gets each message as its own (moved out of the Ready, not copied): the Ready that
    /// `persist`, `advance` and `processed` see has none left.
    public func drain(persist: (Ready) throws -> Void, send: (consuming Message) -> Void, reply: (ClientReply) -> Void,
                      processed: (Ready, ServerOutput) -> Void = { _, _ in }) rethrows {
        // The Ready built in place (`ready(into:)`), not returned: returning it copied every Ready
        // once and destroyed it once more (callgrind: about 3.5 M instructions of `bench sim`).
        while hasReady {
            var built = Ready()
            raft.ready(into: &built)
            // The messages taken out before anything else, then the Ready moved into a constant:
            // handing a variable to each call below copied its 152 bytes to a temporary first
            // (five `memcpy`s a Ready; callgrind: 1.6 M instructions of `bench sim`).
            var messages: [Message] = []
            if !built.messages.isEmpty { swap(&messages, &built.messages) }
            let rd = consume built
            try persist(rd)
            if !messages.isEmpty {
                // Taken from the end: each moves out, in the core's order. Reversed through a buffer
                // pointer, whose swaps move bits: `Array.reverse()` swapped by copying (a retain and a
                // release per message moved; callgrind: 170 instructions a Ready).
                if messages.count > 1 { messages.withUnsafeMutableBufferPointer { $0.reverse() } }
                while let m = messages.popLast() { send(m) }
                raft.recycle(messages: &messages)  // the emptied buffer holds the next messages
            }
            if movesOnlyTheCore(rd) && !snapshotDue {
                // `advance`'s quick case, which would make an empty `ServerOutput` to hand over and
                // destroy at every such Ready (most of them): the shared empty one instead.
                raft.advance(rd)
                processed(rd, Self.noOutput)
                continue
            }
            var out = ServerOutput()
            advance(rd, into: &out)
            processed(rd, out)
            // Not `for r in out.replies` when there are none: the iterator's final nil is an
            // `Optional<ClientReply>` destroyed through its metadata, looked up at every Ready.
            if !out.replies.isEmpty {
                for i in out.replies.indices { reply(out.replies[i]) }
            }
        }
    }

    // MARK: - Admin requests

    /// Makes the membership change or starts the transfer `admin` asks for, on this leader: `.done(.ok)`
    /// with the change's log index (0 for a transfer), or `.failed` with the core's reason. A retry
    /// of the latest admin request of a client gets the first answer again.
    private func answer(_ admin: AdminOperation, for request: ClientRequest) -> ClientReply {
        if let cached = adminAnswers[request.client], cached.seq == request.seq { return cached }
        let r: ClientReply
        do {
            switch admin {
            case .change(let change):
                let at = try raft.proposeChange(change)
                r = reply(request, .done(.ok), index: at.index)
            case .transfer(let to):
                if to != raft.id { try raft.transferLeadership(to: to) }
                r = reply(request, .done(.ok))
            }
        } catch {
            if case .notLeader(let l) = error { return reply(request, .notLeader(leader: l)) }
            r = reply(request, .failed(error.description))
        }
        if adminAnswers.count >= 4_096 { adminAnswers.removeAll() }
        adminAnswers[request.client] = r
        return r
    }

    // MARK: - Helpers

    /// Answer confirmed reads whose index the store has applied, in confirmation order.
    private func serveReads(into replies: inout [ClientReply]) {
        guard !confirmedReads.isEmpty else { return }
        var waiting: [ReadState] = []
        for state in confirmedReads {
            guard state.index <= store.appliedIndex else {
                waiting.append(state)
                continue
            }
            guard let waiter = reads.removeValue(forKey: state.context) else { continue }
            replies.append(ClientReply(client: waiter.client, seq: waiter.seq,
                                       outcome: .done(.value(store.get(waiter.key))), index: state.index))
        }
        confirmedReads = waiting
    }

    /// Remove the waiting writes matching `predicate` and return their keys in registration order.
    private func takeWrites(where predicate: (WriteKey, WriteWaiter) -> Bool) -> [WriteKey] {
        guard !writes.isEmpty else { return [] }
        var taken: [(key: WriteKey, ticket: UInt64)] = []
        for (key, waiter) in writes where predicate(key, waiter) {
            taken.append((key, waiter.ticket))
        }
        taken.sort { $0.ticket < $1.ticket }
        for t in taken { writes[t.key] = nil }
        return taken.map(\.key)
    }

    private func supersededReason(client: ClientID, seq: UInt64) -> String {
        "request \(seq) superseded: client \(client) has applied request \(store.lastSeq(client: client))"
    }

    private func reply(_ request: ClientRequest, _ outcome: ReplyOutcome, index: LogIndex = 0) -> ClientReply {
        ClientReply(client: request.client, seq: request.seq, outcome: outcome, index: index)
    }

    private func outcome(for error: RaftError) -> ReplyOutcome {
        switch error {
        case .notLeader(let leader): return .notLeader(leader: leader)
        case .transferInProgress: return .notLeader(leader: noNode)
        case .proposalTooLarge, .invalidConfig, .compactionRefused, .membershipChangeRefused, .transferRefused:
            return .failed(error.description)
        }
    }
}
