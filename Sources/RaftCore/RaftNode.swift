/// Counters of input the core refused. Nothing here is fatal: the message is dropped.
public struct RaftStats: Sendable, Hashable {
    /// Messages from a term older than ours, ignored.
    public var droppedStaleTerm = 0
    /// Messages from a node that is not a member, or addressed to another node.
    public var droppedUnknownSender = 0
    /// Messages that made no sense in our role (an answer we did not ask for, a message claiming an impossible log position).
    public var droppedUnexpected = 0
    /// Vote requests ignored because we heard from a leader within the election timeout.
    public var ignoredVotesInLease = 0
    /// Times this leader found that a follower needs entries it compacted away (the follower's
    /// progress went to `.snapshot`; see `RaftNode.followersNeedingSnapshot`).
    public var snapshotsNeeded = 0
    /// Snapshots this node took of its own state (`RaftNode.compact(to:data:)` calls that compacted).
    public var snapshotsTaken = 0
    /// Snapshot transfers whose last chunk this leader sent (once per transfer, however often resent).
    public var snapshotsSent = 0
    /// Snapshot chunks this leader sent, first sends and resends alike, and the data bytes in them.
    public var snapshotChunksSent = 0
    public var snapshotBytesSent = 0
    /// Snapshots this node installed from a leader, replacing its log and state.
    public var snapshotsInstalled = 0
    /// Snapshots from a leader this node did not need: no newer than its commit index, or matching an
    /// entry of its own log (it commits up to there and keeps its log instead, §7).
    public var snapshotsIgnored = 0
    /// Membership changes this leader proposed.
    public var changesProposed = 0
    /// Leadership transfers this leader started, the ones it abandoned after an election timeout, and
    /// the `timeoutNow` messages it sent.
    public var transfersStarted = 0
    public var transfersAbandoned = 0
    public var timeoutNowSent = 0
    /// Times a removed leader stepped down once its removal committed.
    public var removedLeaderStepDowns = 0
    /// Acknowledgements of appends this follower did not send because a later one in the same
    /// Ready covered them (`RaftNode.ready()`).
    public var acknowledgementsCoalesced = 0
    public init() {}
}

/// A summary of one node's state for status tables and checkers.
public struct RaftStatus: Sendable, Hashable {
    public var id: NodeID
    public var role: Role
    public var term: Term
    public var vote: NodeID
    public var leader: NodeID
    public var commit: LogIndex
    public var applied: LogIndex
    public var lastIndex: LogIndex
    public var lastTerm: Term
    /// The first index the log holds: one past the latest snapshot's index.
    public var firstIndex: LogIndex
    /// The index of the latest snapshot (taken, installed or restored); 0 if none.
    public var snapshotIndex: LogIndex
    /// The configuration in force on this node (the latest in its log, committed or not).
    public var membership: Membership = .none
    /// The node a leadership transfer is under way to (0: none).
    public var transferee: NodeID = noNode
}

/// The Raft consensus state machine of one node. It performs no I/O and reads no clock:
/// a driver feeds it `tick()`, `step(_:)`, `propose(_:)` and `readIndex(_:)`, then collects a
/// `Ready` (see its documentation for the order of work) and hands it back through `advance(_:)`.
public final class RaftNode {
    public let config: RaftConfig
    public private(set) var term: Term = 0
    public private(set) var vote: NodeID = noNode
    public private(set) var role: Role = .follower
    /// The leader of the current term as far as this node knows, or 0.
    public private(set) var leader: NodeID = noNode
    public private(set) var log: RaftLog
    public private(set) var stats = RaftStats()
    /// Per-follower replication state; meaningful only while leading.
    public private(set) var progress = NodeSlots<Progress>()

    private var random: any RandomNumberGenerator
    private var electionElapsed = 0
    private var heartbeatElapsed = 0
    private var randomizedElectionTimeout = 0
    private var votes: [NodeID: Bool] = [:]
    private var readOnly = ReadOnly()
    private var outbox: [Message] = []
    /// Entries were proposed since the last `ready()`: the leader sends them then, one append per
    /// follower for all of them, instead of one append per proposal (`flushProposals`).
    private var proposalsUnsent = false
    private var readStates: [ReadState] = []
    private var droppedReads: [ReadContext] = []
    private var lastHardState: HardState
    private var lastSoftState: SoftState
    /// Peers in a fixed order (the members of the configuration in force, minus self), so that output
    /// never depends on hashing.
    private var peers: [NodeID]
    /// The configurations the log holds; the last is in force.
    private var configurations: ConfigurationHistory
    /// The target of the leadership transfer under way (0: none), and the ticks since it started.
    public private(set) var leadTransferee: NodeID = noNode
    private var transferElapsed = 0
    /// A follower's InstallSnapshot transfer in progress.
    private var assembly: SnapshotAssembly?
    /// A snapshot for the next Ready to hand out, and whether it was installed from the leader.
    private var unsentSnapshot: (snapshot: Snapshot, installs: Bool)?

    /// A node restored from `storage` (`PersistentState.empty` for a new one): its hard state and
    /// its log, which may start at any index (see `RaftLog.init(restoring:)`, whose errors this
    /// throws). `random` draws election timeouts.
    public init(config: RaftConfig, storage: some LogStorage = PersistentState.empty,
                random: some RandomNumberGenerator) throws(RaftError) {
        try config.validate()
        self.config = config
        self.random = random
        let hs = storage.hardState
        self.log = try RaftLog(restoring: storage)
        self.term = hs.term
        self.vote = hs.vote
        let recorded = storage.snapshot.membership
        var history = ConfigurationHistory(base: recorded.isEmpty ? config.initialMembership : recorded,
                                           at: log.offset)
        history.appended(log.entries)
        self.configurations = history
        self.peers = history.current.members.filter { $0 != config.id }
        self.lastHardState = HardState(term: hs.term, vote: hs.vote, commit: log.committed)
        self.lastSoftState = SoftState(leader: noNode, role: .follower)
        becomeFollower(term: term, leader: noNode)
    }

    // MARK: - Observation

    public var id: NodeID { config.id }

    // Positions in the log, read without copying it: `raft.log.committed` read from another module
    // copies the whole `RaftLog` (retaining its arrays) to read one number, which callgrind showed
    // on every event of the simulator (the checker and the server read these after each step).

    /// The highest index known committed (`log.committed`).
    public var commitIndex: LogIndex { log.committed }
    /// The highest index the driver applied (`log.applied`).
    public var appliedIndex: LogIndex { log.applied }
    /// The index of the last entry (`log.lastIndex`).
    public var lastIndex: LogIndex { log.lastIndex }
    /// The index of the latest snapshot, 0 if none (`log.offset`).
    public var snapshotIndex: LogIndex { log.offset }
    /// The term of the entry at `index`, nil if the log does not hold it (`log.term(at:)`).
    public func logTerm(at index: LogIndex) -> Term? { log.term(at: index) }
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    public var softState: SoftState { SoftState(leader: leader, role: role) }

    public var status: RaftStatus {
        RaftStatus(id: id, role: role, term: term, vote: vote, leader: leader, commit: log.committed,
                   applied: log.applied, lastIndex: log.lastIndex, lastTerm: log.lastTerm,
                   firstIndex: log.firstIndex, snapshotIndex: log.offset, membership: membership,
                   transferee: leadTransferee)
    }

    /// The configuration in force on this node: the latest in its log, committed or not (empty for a
    /// joining node that has not heard from a leader).
    public var membership: Membership { configurations.current }

    /// The configuration in force at `index` (what a snapshot there records).
    public func membership(at index: LogIndex) -> Membership { configurations.membership(at: index) }

    /// The index of the latest `.config` entry in the log (0 if none since the latest snapshot).
    public var latestChangeIndex: LogIndex { configurations.latestChangeIndex }

    /// Whether this node may campaign: it is a voter of the configuration in force.
    public var isPromotable: Bool { membership.voters.contains(id) }

    /// The followers that need entries this leader compacted away, in id order: the ones a snapshot
    /// must bring up to date (empty unless leading).
    public var followersNeedingSnapshot: [NodeID] {
        peers.filter { progress[$0]?.state == .snapshot }
    }

    /// Whether this leader has committed an entry of its own term (and may serve reads).
    public var committedInCurrentTerm: Bool { log.term(at: log.committed) == term }

    /// Whether the term allows a membership change: this node committed an entry of its term (the
    /// fix of the published single-server change bug), or the known bug `change-before-commit` is on
    /// (the one place that switch is read; drivers that wait for a change to be allowed ask here).
    public var mayChangeMembershipInThisTerm: Bool { committedInCurrentTerm || config.bug == .changeBeforeCommit }

    // MARK: - Inputs

    /// Advance logical time by one tick.
    public func tick() {
        switch role {
        case .leader: tickLeader()
        case .follower, .preCandidate, .candidate: tickElection()
        }
    }

    /// Submit a command. Only the leader accepts; returns where the entry will sit if it commits.
    @discardableResult
    public func propose(_ data: [UInt8]) throws(RaftError) -> (index: LogIndex, term: Term) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        if leadTransferee != noNode { throw .transferInProgress(to: leadTransferee) }
        let size = data.count + 24
        if size > config.maxMessageBytes { throw .proposalTooLarge(bytes: size, limit: config.maxMessageBytes) }
        let e = Entry(term: term, index: log.lastIndex + 1, kind: .normal, data: data)
        appendOwn(e)
        // Sent at the next `ready()`, with every other proposal stepped before it.
        proposalsUnsent = true
        return (e.index, e.term)
    }

    /// Ask to serve a linearizable read. The answer is a `ReadState` with this context in a later Ready
    /// (after a quorum confirms this node still leads), or the context in `droppedReads` if leadership is lost.
    public func readIndex(_ context: ReadContext) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        if !committedInCurrentTerm {
            readOnly.deferUntilCommit(context)
            return
        }
        startRead(context)
    }

    /// Propose one membership change (thesis §4.1): a `.config` entry carrying the new membership,
    /// in force on each node as soon as it appends it. Returns where the entry sits.
    ///
    /// Throws `.membershipChangeRefused` when the change makes no sense for the membership in force
    /// (see `Membership.applying(_:)`), when this leader has not yet committed an entry of its own term
    /// (the rule that fixes the published single-server change bug), or when an earlier change is not
    /// committed yet (one change at a time); `.notLeader` and `.transferInProgress` as `propose`.
    @discardableResult
    public func proposeChange(_ change: ConfigChange) throws(RaftError) -> (index: LogIndex, term: Term) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        return try proposeMembership(try membership.applying(change))
    }

    /// Propose `target` as the new membership. It may differ from the one in force by at most one
    /// voter (added, removed or promoted from learner) and any learners: raftsh makes single-server
    /// changes, not joint consensus, and refuses a change of two or more voters with
    /// `.membershipChangeRefused` saying so (docs/architecture.md explains the choice).
    @discardableResult
    public func proposeMembership(_ target: Membership) throws(RaftError) -> (index: LogIndex, term: Term) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        if leadTransferee != noNode { throw .transferInProgress(to: leadTransferee) }
        let current = membership
        if target == current { throw .membershipChangeRefused("the membership is already \(current)") }
        if target.voters.isEmpty { throw .membershipChangeRefused("a cluster needs at least one voter") }
        if target.voters.contains(where: target.learners.contains) {
            throw .membershipChangeRefused("a node cannot be both voter and learner in \(target)")
        }
        let changed = current.voterDifference(target)
        if changed > 1 {
            throw .membershipChangeRefused(
                "joint consensus is not supported: \(current) -> \(target) changes \(changed) voters at once; "
                    + "raftsh changes one voter at a time (single-server changes, Raft thesis 4.1), "
                    + "so make it \(changed) changes, each committed before the next")
        }
        if !mayChangeMembershipInThisTerm {
            throw .membershipChangeRefused(
                "this leader has not committed an entry of its term \(term) yet; a leader changes the "
                    + "membership only after that (the fix of the published single-server change bug)")
        }
        if configurations.latestChangeIndex > log.committed {
            throw .membershipChangeRefused(
                "the change at index \(configurations.latestChangeIndex) is not committed yet (commit "
                    + "\(log.committed)); one change at a time")
        }
        let e = Entry(term: term, index: log.lastIndex + 1, kind: .config, data: target.encoded)
        let size = e.byteSize
        if size > config.maxMessageBytes { throw .proposalTooLarge(bytes: size, limit: config.maxMessageBytes) }
        appendOwn(e)
        stats.changesProposed += 1
        broadcastAppend()
        return (e.index, e.term)
    }

    /// Hand leadership to the voter `target` (thesis §3.10): this leader stops accepting proposals,
    /// brings `target` up to date, then sends it `timeoutNow`, on which it campaigns at once, skipping
    /// PreVote. The transfer is abandoned (proposals are accepted again) if `target` has not taken
    /// over after an election timeout (`electionTicksMax` ticks). Asking again for the same target
    /// changes nothing; a different target replaces the transfer under way.
    public func transferLeadership(to target: NodeID) throws(RaftError) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        if target == id { throw .transferRefused("node \(id) already leads") }
        guard membership.voters.contains(target) else {
            throw .transferRefused("node \(target) is not a voter (\(membership))")
        }
        if leadTransferee == target { return }
        leadTransferee = target
        transferElapsed = 0
        stats.transfersStarted += 1
        if progress[target]?.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppend(to: target)
        }
    }

    /// The application took a snapshot: `data` is its state machine after applying every entry up
    /// to `index`. The log drops the entries up to `index`, the snapshot becomes the one this node
    /// sends to followers that need them, and the next `Ready` hands it out to be stored
    /// (`Ready.snapshot`, with `installsSnapshot` false: the state machine already holds it).
    ///
    /// `logHash` is the application's hash of the log up to `index`, kept in the snapshot's
    /// metadata (`SnapshotMetadata.logHash`; 0: none).
    ///
    /// Returns false, changing nothing, when a snapshot already covers `index` (one taken or
    /// installed since the application read its state). Throws `.compactionRefused` when `index` is
    /// not applied yet (the snapshot would claim entries the state machine has not seen).
    @discardableResult
    public func compact(to index: LogIndex, data: [UInt8], logHash: UInt64 = 0) throws(RaftError) -> Bool {
        if index <= log.offset { return false }
        guard index <= log.applied, let t = log.term(at: index) else {
            throw .compactionRefused("cannot compact to index \(index): only \(log.applied) is applied")
        }
        let snap = Snapshot(metadata: SnapshotMetadata(index: index, term: t, membership: membership(at: index),
                                                     logHash: logHash),
                            data: data)
        log.compact(to: snap)
        configurations.compacted(to: index)
        unsentSnapshot = (snap, false)
        stats.snapshotsTaken += 1
        return true
    }

    /// Feed one message from the network. Messages that do not belong are dropped and counted.
    public func step(_ m: Message) {
        // Anyone may write to us: a leader this node does not know yet (it joined, or lags behind a
        // change), a new voter asking for votes. Answers from non-members count for nothing.
        guard m.to == id, m.from != id, m.from != noNode else {
            stats.droppedUnknownSender += 1
            return
        }
        if m.kind == .append && !Self.isWellFormedAppend(m) {
            // No leader sends this; appending it would trap on the log's ordering preconditions.
            stats.droppedUnexpected += 1
            return
        }
        if (m.kind == .snapshot || m.kind == .snapshotResponse) && !Self.isWellFormedSnapshot(m) {
            stats.droppedUnexpected += 1
            return
        }
        if m.term > term {
            let transfer = m.kind == .vote && m.context == Message.transferCampaign
            if m.isVoteRequest && !transfer && config.checkQuorum && leader != noNode
                && electionElapsed < config.electionTicksMin {
                // We heard from a live leader recently: do not let this node disrupt it (thesis §4.2.3).
                stats.ignoredVotesInLease += 1
                return
            }
            switch m.kind {
            case .preVote:
                break  // a pre-vote does not change our term
            case .preVoteResponse where !m.reject:
                break  // granted pre-votes carry the future term; handled below
            default:
                let newLeader = m.isFromLeader ? m.from : noNode
                becomeFollower(term: m.term, leader: newLeader)
            }
        } else if m.term < term {
            if (config.checkQuorum || config.preVote) && m.isFromLeader {
                // A stale leader: answer with our term so it steps down (etcd's rule for a leader cut
                // off while the rest moved on).
                send(Message(kind: .appendResponse, from: id, to: m.from, term: term))
            } else if m.kind == .preVote {
                send(Message(kind: .preVoteResponse, from: id, to: m.from, term: term, reject: true))
            } else {
                stats.droppedStaleTerm += 1
            }
            return
        }

        switch m.kind {
        case .preVote, .vote:
            handleVoteRequest(m)
        default:
            switch role {
            case .leader: stepLeader(m)
            case .candidate, .preCandidate: stepCandidate(m)
            case .follower: stepFollower(m)
            }
        }
    }

    // MARK: - Ready / advance

    /// Whether `ready()` has anything for the driver.
    ///
    /// Asked at least twice per driver turn (the second time to find nothing), so it reads plain
    /// fields, the likeliest reasons first, and compares soft and hard state field by field instead
    /// of building `softState` and `hardState`.
    public var hasReady: Bool {
        if !outbox.isEmpty || proposalsUnsent { return true }
        let last = log.lastIndex, committed = log.committed
        if log.writing < last || min(committed, last) > log.applying { return true }
        if role != lastSoftState.role || leader != lastSoftState.leader || term != lastHardState.term
            || vote != lastHardState.vote || committed != lastHardState.commit { return true }
        if !readStates.isEmpty || !droppedReads.isEmpty { return true }
        if case .some = unsentSnapshot { return true }
        return false
    }

    /// Collect the work for the driver. Call `advance(_:)` with the result before calling `ready()` again.
    public func ready() -> Ready {
        var rd = Ready()
        ready(into: &rd)
        return rd
    }

    /// `ready()` written into `rd`, which must be empty (`Ready()`): what a driver's loop calls to
    /// have the Ready built in place. (Returning a Ready built from its parts copied it into the
    /// result and destroyed the parts: callgrind showed a copy and a destroy of every Ready.)
    public func ready(into rd: inout Ready) {
        flushProposals()
        coalesceAcknowledgements()
        // The log's computed slices (`unstableEntries`) copied the whole log; callgrind showed it at
        // every Ready.
        let ss = softState
        let hs = hardState
        if let (s, i) = unsentSnapshot {
            rd.snapshot = s
            rd.installsSnapshot = i
            unsentSnapshot = nil
        }
        let offset = log.offset, last = log.lastIndex, writing = max(log.writing, offset)
        if writing < last { rd.entries = Array(log.entries[Int(writing - offset) ..< Int(last - offset)]) }
        let applyTo = min(log.committed, last), applying = max(log.applying, offset)
        if applying < applyTo { rd.committedEntries = Array(log.entries[Int(applying - offset) ..< Int(applyTo - offset)]) }
        // The known bugs `ack-before-sync` and `vote-twice` drop one of the two reasons to sync.
        rd.mustSync = (!rd.entries.isEmpty && config.bug != .ackBeforeSync) || rd.snapshot != nil
            || (hs.needsSync(comparedTo: lastHardState) && config.bug != .voteTwice)
        // Handed over, not copied: the next message starts a new buffer (or the one the driver
        // hands back, `recycle(messages:)`).
        if !outbox.isEmpty { swap(&rd.messages, &outbox) }
        if !readStates.isEmpty { swap(&rd.readStates, &readStates) }
        if !droppedReads.isEmpty { swap(&rd.droppedReads, &droppedReads) }
        if applying < applyTo { log.applying = applyTo }
        if writing < last { log.writing = last }
        if ss != lastSoftState { rd.softState = ss }
        if hs != lastHardState { rd.hardState = hs }
    }

    /// Hands back a Ready's message buffer once the driver has sent (moved out) every message in
    /// it: an empty outbox takes it, keeping its capacity, so the next messages need no new
    /// buffer. A buffer that is not empty, or while the outbox has one, is left as it is.
    public func recycle(messages: inout [Message]) {
        guard messages.isEmpty, outbox.capacity == 0 else { return }
        swap(&outbox, &messages)
    }

    /// The driver has persisted, sent and applied what `rd` asked for. With
    /// `RaftConfig.asyncStorageWrites`, "persisted" reads "handed to storage": the entries become
    /// stable at `persisted(through:term:)`.
    public func advance(_ rd: Ready) {
        if let ss = rd.softState { lastSoftState = ss }
        if let hs = rd.hardState { lastHardState = hs }
        if let last = rd.entries.last {
            if !config.asyncStorageWrites {
                stored(through: last.index, term: last.term)
            } else if config.bug == .countBeforeWrite, role == .leader, log.matchTerm(last.index, last.term) {
                // The known bug: the leader's own entries count once handed to the writer.
                countOwnEntries(through: last.index)
            }
        }
        if let s = rd.snapshotToApply, s.index > log.applied { log.applied = s.index }
        if let last = rd.committedEntries.last, last.index > log.applied { log.applied = last.index }
    }

    /// With `RaftConfig.asyncStorageWrites`: every write handed out up to the one whose last entry
    /// is `index` of `term` is durable. The log becomes stable through `index` if it still holds
    /// that entry (a later write may have replaced it: then nothing changes, and that write reports
    /// for itself); a leader counts it toward a commit. Reports must come in the order the writes
    /// were handed out. Ignored without asynchronous writes, where `advance` does this.
    public func persisted(through index: LogIndex, term: Term) {
        guard config.asyncStorageWrites, index <= log.writing else { return }
        stored(through: index, term: term)
    }

    /// With `RaftConfig.asyncStorageWrites`: the driver stored `rd`'s storage work itself, durably
    /// (`persisted(through:term:)` for its last entry).
    public func persisted(_ rd: Ready) {
        if let last = rd.entries.last { persisted(through: last.index, term: last.term) }
    }

    private func stored(through index: LogIndex, term: Term) {
        guard index > log.stabled, log.matchTerm(index, term) else { return }
        log.stabled = index
        // The leader's own entries count toward commit only once on stable storage.
        if role == .leader { countOwnEntries(through: index) }
    }

    private func countOwnEntries(through index: LogIndex) {
        if progress[id]!.maybeUpdate(index), maybeCommit() { committedMore() }
    }

    // MARK: - Roles

    private func resetTimers() {
        electionElapsed = 0
        heartbeatElapsed = 0
        randomizedElectionTimeout = config.electionTicksMin
            + Int(random.next() % UInt64(config.electionTicksMax - config.electionTicksMin + 1))
    }

    private func reset(term newTerm: Term) {
        if newTerm != term {
            term = newTerm
            vote = noNode
        }
        leader = noNode
        resetTimers()
        votes = [:]
        progress.removeAll()
        leadTransferee = noNode
        transferElapsed = 0
        for dropped in readOnly.reset() { droppedReads.append(dropped) }
    }

    private func becomeFollower(term newTerm: Term, leader newLeader: NodeID) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    private func becomePreCandidate() {
        // Neither term nor vote change: a pre-vote round is only a question.
        role = .preCandidate
        votes = [:]
        leader = noNode
        resetTimers()
    }

    private func becomeCandidate() {
        reset(term: term + 1)
        role = .candidate
        vote = id
    }

    private func becomeLeader() {
        reset(term: term)
        role = .leader
        leader = id
        assembly = nil
        for p in peers + [id] {
            var pr = Progress(next: log.lastIndex + 1, maxInflight: config.maxInflight)
            pr.recentActive = true
            progress.put(consume pr, at: p)
        }
        progress[id]!.match = log.stabled
        // A no-op of the new term, so that earlier entries can commit by counting it (§5.4.2).
        if !countsOldTermReplicas { appendOwn(Entry(term: term, index: log.lastIndex + 1, kind: .noop)) }
        broadcastAppend()
    }

    /// Start an election (a pre-vote round first when `preVote`). `transfer`: the leader told us to
    /// (`timeoutNow`), so the vote requests say so and voters answer despite their leader lease.
    private func campaign(preVote: Bool, transfer: Bool = false) {
        if preVote {
            becomePreCandidate()
        } else {
            becomeCandidate()
        }
        let voteTerm = preVote ? term + 1 : term
        votes[id] = true
        if tallyVotes() == .won {
            if preVote { campaign(preVote: false) } else { becomeLeader() }
            return
        }
        for p in membership.voters where p != id {
            send(Message(kind: preVote ? .preVote : .vote, from: id, to: p, term: voteTerm,
                         logTerm: log.lastTerm, index: log.lastIndex,
                         context: transfer ? Message.transferCampaign : 0))
        }
    }

    private enum Tally { case won, lost, pending }

    private func tallyVotes() -> Tally {
        var granted = 0, rejected = 0
        let voters = membership.voters
        let quorum = membership.quorum
        for v in voters {
            switch votes[v] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        if granted >= quorum { return .won }
        if rejected > voters.count - quorum { return .lost }
        return .pending
    }

    // MARK: - Ticks

    private func tickElection() {
        electionElapsed += 1
        guard electionElapsed >= randomizedElectionTimeout else { return }
        // Learners, removed nodes and joining nodes never campaign; they keep counting, so that the
        // lease of a leader they no longer hear from lapses and they answer vote requests (a learner
        // that was promoted without knowing it yet may be the vote a new leader needs).
        guard isPromotable else { return }
        electionElapsed = 0
        campaign(preVote: config.preVote)
    }

    private func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        for p in peers where progress[p]?.chunkAge != nil {
            progress[p]!.chunkAge! += 1
        }
        if leadTransferee != noNode {
            transferElapsed += 1
            if transferElapsed >= config.electionTicksMax {
                // The target did not take over within an election timeout: keep leading.
                abandonTransfer()
            }
        }
        if electionElapsed >= config.electionTicksMin {
            electionElapsed = 0
            if config.checkQuorum {
                var active: [NodeID] = [id]
                for p in peers where progress[p]?.recentActive == true { active.append(p) }
                for p in peers { progress[p]?.recentActive = false }
                if !membership.isQuorum(active) {
                    becomeFollower(term: term, leader: noNode)
                    return
                }
            }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat(context: readOnly.lastContext)
        }
    }

    // MARK: - Votes

    private func handleVoteRequest(_ m: Message) {
        let isPre = m.kind == .preVote
        let canVote = vote == m.from || (vote == noNode && leader == noNode) || (isPre && m.term > term)
        let responseKind: Message.Kind = isPre ? .preVoteResponse : .voteResponse
        if canVote && (log.isUpToDate(index: m.index, term: m.logTerm) || config.bug == .noVoteCheck) {
            // A granted pre-vote answers in the term it was asked about, so the asker can count it.
            send(Message(kind: responseKind, from: id, to: m.from, term: m.term))
            if !isPre {
                vote = m.from
                electionElapsed = 0
            }
        } else {
            send(Message(kind: responseKind, from: id, to: m.from, term: term, reject: true))
        }
    }

    private func stepCandidate(_ m: Message) {
        switch m.kind {
        case .append:
            becomeFollower(term: m.term, leader: m.from)
            handleAppend(m)
        case .heartbeat:
            becomeFollower(term: m.term, leader: m.from)
            handleHeartbeat(m)
        case .snapshot:
            becomeFollower(term: m.term, leader: m.from)
            handleSnapshot(m)
        case .preVoteResponse, .voteResponse:
            let expected: Message.Kind = role == .preCandidate ? .preVoteResponse : .voteResponse
            guard m.kind == expected else { stats.droppedUnexpected += 1; return }
            votes[m.from] = !m.reject
            switch tallyVotes() {
            case .won:
                if role == .preCandidate { campaign(preVote: false) } else { becomeLeader() }
            case .lost:
                becomeFollower(term: term, leader: noNode)
            case .pending:
                break
            }
        default:
            stats.droppedUnexpected += 1
        }
    }

    // MARK: - Follower

    private func stepFollower(_ m: Message) {
        switch m.kind {
        case .append:
            electionElapsed = 0
            leader = m.from
            handleAppend(m)
        case .heartbeat:
            electionElapsed = 0
            leader = m.from
            handleHeartbeat(m)
        case .snapshot:
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m)
        case .timeoutNow:
            // Our leader hands leadership over: campaign at once, without a pre-vote round.
            guard isPromotable else { stats.droppedUnexpected += 1; return }
            campaign(preVote: false, transfer: true)
        default:
            stats.droppedUnexpected += 1
        }
    }

    private func handleAppend(_ m: Message) {
        if m.index < log.committed {
            // Already have everything up to our commit index: report it so the leader moves on.
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: log.committed))
            return
        }
        if log.matchTerm(m.index, m.logTerm) {
            // The known bug `no-truncate`: keep what conflicts, take only what lies past our log.
            let taken = config.bug == .noTruncate ? m.entries.filter { $0.index > log.lastIndex } : m.entries
            let lastNew = log.appendFromLeader(taken)
            if !taken.isEmpty { logChanged(appended: taken) }
            // Commit only what we know matches the leader: up to the last entry this message covered.
            log.commit(to: min(m.commit, m.index + LogIndex(m.entries.count)))
            _ = lastNew
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term,
                         index: m.index + LogIndex(m.entries.count)))
        } else {
            // Consistency check failed (§5.3). Tell the leader where our log diverges so it can skip
            // a whole term at a time.
            var hint = m.index
            var conflictTerm: Term = 0
            if m.index > log.lastIndex {
                hint = log.lastIndex + 1
            } else {
                conflictTerm = log.term(at: m.index) ?? 0
                hint = log.firstIndexOfTerm(at: m.index, floor: log.committed + 1)
            }
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, logTerm: conflictTerm,
                         index: m.index, reject: true, rejectHint: hint))
        }
    }

    /// Whether an append's entries follow its prevLogIndex one by one, with terms that never go below
    /// prevLogTerm nor above the message's term (what every leader sends).
    private static func isWellFormedAppend(_ m: Message) -> Bool {
        guard m.index <= LogIndex.max - LogIndex(m.entries.count) else { return false }
        var index = m.index, lastTerm = m.logTerm
        for e in m.entries {
            index += 1
            guard e.index == index, e.term >= lastTerm, e.term <= m.term else { return false }
            lastTerm = e.term
        }
        return true
    }

    private func handleHeartbeat(_ m: Message) {
        log.commit(to: min(m.commit, log.lastIndex))
        send(Message(kind: .heartbeatResponse, from: id, to: m.from, term: term, context: m.context))
    }

    /// One chunk of InstallSnapshot (§7). A snapshot no newer than our commit index is not needed:
    /// the answer is the commit index, so that the leader sends entries from there. One whose last
    /// entry our log holds (same index and term) is not needed either: everything up to it matches
    /// the leader, so we commit up to it and keep our log, suffix included. Any other snapshot is
    /// assembled chunk by chunk, in order, and once complete replaces the whole log and the state
    /// machine; it is acknowledged, like entries, only after it is stored (the answer goes out in
    /// the Ready that stores it).
    private func handleSnapshot(_ m: Message) {
        let chunk = m.snapshot!
        let meta = chunk.metadata
        if meta.index <= log.committed {
            assembly = nil
            stats.snapshotsIgnored += 1
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: log.committed))
            return
        }
        if log.matchTerm(meta.index, meta.term) {
            assembly = nil
            stats.snapshotsIgnored += 1
            log.commit(to: meta.index)
            send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: meta.index))
            return
        }
        if chunk.offset == 0, !(assembly?.accepts(chunk, from: m.from) ?? false) {
            assembly = SnapshotAssembly(leader: m.from, metadata: meta, data: [])
        }
        guard var a = assembly, a.accepts(chunk, from: m.from) else {
            // We hold nothing of this snapshot (we restarted, or missed its first chunk).
            send(Message(kind: .snapshotResponse, from: id, to: m.from, term: term, reject: true,
                         snapshot: SnapshotChunk(metadata: meta, offset: 0)))
            return
        }
        guard chunk.offset == UInt64(a.data.count) else {
            // A duplicate or a chunk out of order: say where we are.
            send(Message(kind: .snapshotResponse, from: id, to: m.from, term: term,
                         snapshot: SnapshotChunk(metadata: meta, offset: UInt64(a.data.count))))
            return
        }
        assembly = nil  // no second reference while appending (copy-on-write)
        a.data.append(contentsOf: chunk.data)
        guard chunk.done else {
            assembly = a
            send(Message(kind: .snapshotResponse, from: id, to: m.from, term: term,
                         snapshot: SnapshotChunk(metadata: meta, offset: UInt64(a.data.count))))
            return
        }
        let snapshot = Snapshot(metadata: meta, data: a.data)
        log.restore(snapshot)
        configurations.restored(at: meta.index, membership: meta.membership)
        configurationChanged()
        unsentSnapshot = (snapshot, true)
        stats.snapshotsInstalled += 1
        send(Message(kind: .appendResponse, from: id, to: m.from, term: term, index: meta.index))
    }

    /// Whether a snapshot message carries a chunk that a leader could have sent: a snapshot of an
    /// index above 0, of a term no later than the message's, whose offset and length fit in 64 bits.
    private static func isWellFormedSnapshot(_ m: Message) -> Bool {
        guard let c = m.snapshot else { return false }
        guard c.metadata.index > 0, c.metadata.term > 0, c.metadata.term <= m.term else { return false }
        return c.offset <= UInt64(Int.max) - UInt64(c.data.count)
    }

    // MARK: - Leader

    private func stepLeader(_ m: Message) {
        // Taken out of its slot (and put back on every path) so that changing it copies nothing.
        guard var pr = progress.take(m.from) else { stats.droppedUnknownSender += 1; return }
        switch m.kind {
        case .appendResponse:
            pr.recentActive = true
            // We never sent an append beyond our log: an answer about one is bogus (and a rejection of it
            // would move `next` past the log, where no append can be built, stalling this follower).
            if m.index > log.lastIndex { stats.droppedUnexpected += 1; progress.put(consume pr, at: m.from); return }
            if m.reject {
                var hintNext = m.rejectHint
                if m.logTerm != 0, let last = log.lastIndex(ofTerm: m.logTerm) {
                    hintNext = last + 1
                }
                if hintNext == 0 { hintNext = 1 }
                if pr.maybeDecrease(rejected: m.index, hintNext: hintNext) {
                    progress.put(consume pr, at: m.from)
                    sendAppend(to: m.from)
                } else {
                    progress.put(consume pr, at: m.from)
                }
                return
            }
            let wasPaused = pr.isPaused
            if pr.maybeUpdate(m.index) {
                switch pr.state {
                case .probe: pr.becomeReplicate()
                case .replicate: pr.inflights.free(upTo: m.index)
                case .snapshot:
                    // However it got there, a follower that the log can catch up again gets appends.
                    if pr.match + 1 >= log.firstIndex {
                        pr.becomeReplicate()
                    } else if pr.match >= pr.pendingSnapshot {
                        // It holds the snapshot we sent, but we compacted further since: send the latest.
                        pr.forgetSnapshot()
                    }
                }
                progress.put(consume pr, at: m.from)
                if maybeCommit() {
                    if !committedMore() { return }
                } else if wasPaused {
                    sendAppend(to: m.from)
                }
                // Keep the pipeline full.
                while let next = progress[m.from]?.next, next <= log.lastIndex, progress[m.from]?.isPaused == false {
                    if !sendAppend(to: m.from) { break }
                }
                if m.from == leadTransferee, progress[m.from]?.match == log.lastIndex { sendTimeoutNow(to: m.from) }
            } else {
                progress.put(consume pr, at: m.from)
            }
        case .heartbeatResponse:
            pr.recentActive = true
            pr.probeSent = false
            // The appends filling the window may all have been lost: free one slot, and send even an empty
            // append, so that a lagging follower is probed again instead of waiting forever (as etcd does).
            if pr.state == .replicate && pr.inflights.isFull { pr.inflights.freeFirstOne() }
            // Likewise a snapshot chunk (or its answer) may have been lost: send it again once it has
            // waited long enough, so that a transfer is never stuck.
            if pr.state == .snapshot, let age = pr.chunkAge, age >= snapshotRetryTicks { pr.chunkAge = nil }
            let behind = pr.match < log.lastIndex  // read before `pr` moves back (no copy of it)
            progress.put(consume pr, at: m.from)
            if behind { sendAppend(to: m.from, allowEmpty: true) }
            if m.context != 0 {
                readStates.append(contentsOf: readOnly.ack(context: m.context, from: m.from, membership: membership))
            }
        case .snapshotResponse:
            pr.recentActive = true
            let c = m.snapshot!
            // Only an answer about the transfer in progress counts; others are late or duplicated.
            guard pr.state == .snapshot, let sending = pr.sending, c.metadata == sending.metadata else {
                progress.put(consume pr, at: m.from)
                return
            }
            // The follower says how much it holds: resume from there (from 0 if it holds nothing).
            pr.snapshotOffset = m.reject ? 0 : Int(min(c.offset, UInt64(sending.data.count)))
            pr.chunkAge = nil
            progress.put(consume pr, at: m.from)
            sendAppend(to: m.from)
        default:
            progress.put(consume pr, at: m.from)
            stats.droppedUnexpected += 1
        }
    }

    private func sendTimeoutNow(to p: NodeID) {
        send(Message(kind: .timeoutNow, from: id, to: p, term: term))
        stats.timeoutNowSent += 1
    }

    private func abandonTransfer() {
        leadTransferee = noNode
        transferElapsed = 0
        stats.transfersAbandoned += 1
    }

    /// After the commit index moved on a leader: step down if this leader was removed and its removal
    /// is now committed (thesis §4.2.2), telling the followers first. Returns whether it still leads.
    ///
    /// Otherwise the new commit index is not broadcast at once (etcd sends every follower an append
    /// here; hashicorp/raft does not): it rides on the next append or heartbeat each follower gets,
    /// both of which carry it. The client's answer does not wait for followers to learn it, and a
    /// put then costs the leader two datagrams out and two in per follower instead of four; a
    /// follower's state machine lags by at most one heartbeat interval when the cluster is idle.
    @discardableResult
    private func committedMore() -> Bool {
        if !isPromotable && log.committed >= configurations.latestChangeIndex {
            broadcastAppend()
            stats.removedLeaderStepDowns += 1
            becomeFollower(term: term, leader: noNode)
            return false
        }
        return true
    }

    /// Entries were appended to the log (from the leader, or by this leader), possibly replacing a
    /// suffix: the configuration in force is the latest one the log now holds.
    private func logChanged(appended entries: [Entry]) {
        let before = membership
        configurations.dropMissing { log.term(at: $0) }
        configurations.appended(entries)
        if membership != before { configurationChanged() }
    }

    /// The configuration in force changed: new peers; on a leader, progress for new members (probed
    /// from the last entry) and none for removed ones, a transfer to a removed node abandoned, and
    /// perhaps a commit (fewer voters may already hold more).
    private func configurationChanged() {
        let current = membership
        peers = current.members.filter { $0 != id }
        guard role == .leader else { return }
        for p in peers where progress[p] == nil {
            var pr = Progress(next: max(log.lastIndex, 1), maxInflight: config.maxInflight)
            pr.recentActive = true
            progress.put(consume pr, at: p)
        }
        for p in progress.ids where p != id && !current.contains(p) { progress[p] = nil }
        if leadTransferee != noNode && !current.voters.contains(leadTransferee) { abandonTransfer() }
    }

    /// Ticks an unanswered snapshot chunk waits before a heartbeat answer makes the leader send it again.
    private var snapshotRetryTicks: Int { 2 * config.heartbeatTicks }

    private func appendOwn(_ e: Entry) {
        log.append(e)
        if e.kind == .config { logChanged(appended: [e]) }
    }

    /// Commit the highest index a quorum of the voters in force has stored, if it is of the current
    /// term (§5.4.2). A leader that is not a voter (it removed itself) does not count its own log.
    private func maybeCommit() -> Bool {
        let membership = self.membership
        let voters = membership.voters
        guard !voters.isEmpty else { return false }
        // The quorum-th largest match among the voters, sorted by insertion into a stack buffer
        // (a handful of voters): an array mapped and sorted per call was an allocation per
        // acknowledgement.
        let candidate = withUnsafeTemporaryAllocation(of: LogIndex.self, capacity: voters.count) { buf in
            var n = 0
            for v in voters {
                let m = progress[v]?.match ?? 0
                var i = n
                while i > 0, buf[i - 1] < m {
                    buf[i] = buf[i - 1]
                    i -= 1
                }
                buf[i] = m
                n += 1
            }
            return buf[membership.quorum - 1]
        }
        guard candidate > log.committed, countsOldTermReplicas || log.term(at: candidate) == term else { return false }
        log.commit(to: candidate)
        let deferred = readOnly.takeDeferred()
        for ctx in deferred { startRead(ctx) }
        return true
    }

    /// The known bug `commit-old-term` (Figure 8): commit entries of earlier terms by counting
    /// replicas, and so append no no-op on election.
    private var countsOldTermReplicas: Bool { config.bug == .commitOldTerm }

    private func startRead(_ context: ReadContext) {
        readOnly.add(context: context, index: log.committed, leader: id)
        if membership.isQuorum([id]) {
            readStates.append(contentsOf: readOnly.confirmAll())
        } else {
            broadcastHeartbeat(context: context)
        }
    }

    private func broadcastAppend() {
        for p in peers { sendAppend(to: p, allowEmpty: true) }
    }

    /// Send the next batch to `to`. Returns whether something was sent.
    @discardableResult
    private func sendAppend(to p: NodeID, allowEmpty: Bool = false) -> Bool {
        // Taken out of its slot once and put back on every path, so that reading and changing it
        // copies nothing (reading `progress[p]!.field` three times copied the whole value each time).
        guard var pr = progress.take(p) else { return false }
        if pr.isPaused { progress.put(consume pr, at: p); return false }
        if pr.state == .snapshot { progress.put(consume pr, at: p); return sendSnapshotChunk(to: p) }
        let prev = pr.next - 1
        guard let prevTerm = log.term(at: prev) else {
            if prev < log.offset {
                // What this follower needs next was compacted away: only a snapshot can help it now.
                pr.becomeSnapshot()
                progress.put(consume pr, at: p)
                stats.snapshotsNeeded += 1
                return sendSnapshotChunk(to: p)
            }
            progress.put(consume pr, at: p)
            return false
        }
        var batch: [Entry] = []
        var bytes = 0
        var i = pr.next
        while i <= log.lastIndex {
            let e = log.entry(at: i)!
            if !batch.isEmpty && bytes + e.byteSize > config.maxMessageBytes { break }
            batch.append(e)
            bytes += e.byteSize
            i += 1
        }
        if batch.isEmpty && !allowEmpty && pr.state == .replicate { progress.put(consume pr, at: p); return false }
        send(Message(kind: .append, from: id, to: p, term: term, logTerm: prevTerm, index: prev,
                     commit: log.committed, entries: batch))
        switch pr.state {
        case .replicate:
            if let last = batch.last {
                pr.next = last.index + 1
                pr.inflights.add(last.index)
            }
        case .probe:
            pr.probeSent = true
        case .snapshot:
            break  // handled above: no append is sent in this state
        }
        progress.put(consume pr, at: p)
        return true
    }

    /// Sends `p` (in snapshot state, with no chunk unanswered) the chunk of its transfer that starts
    /// where it said it holds data, starting a transfer of the latest snapshot if none is running.
    /// Each chunk's data is cut so that the message stays within `maxMessageBytes`.
    @discardableResult
    private func sendSnapshotChunk(to p: NodeID) -> Bool {
        guard var pr = progress[p], pr.state == .snapshot, pr.chunkAge == nil else { return false }
        if pr.sending == nil {
            pr.sending = log.snapshot
            pr.snapshotOffset = 0
            pr.lastChunkSent = false
        }
        let snap = pr.sending!
        let size = snap.data.count
        let start = min(pr.snapshotOffset, size)
        let room = config.maxMessageBytes - Message(kind: .snapshot, from: id, to: p, term: term).byteSize
            - SnapshotChunk(metadata: snap.metadata, offset: 0).overheadBytes
        let end = start + min(size - start, max(1, room))
        let done = end == size
        send(Message(kind: .snapshot, from: id, to: p, term: term,
                     snapshot: SnapshotChunk(metadata: snap.metadata, offset: UInt64(start),
                                             data: Array(snap.data[start ..< end]), done: done)))
        stats.snapshotChunksSent += 1
        stats.snapshotBytesSent += end - start
        if done && !pr.lastChunkSent {
            pr.lastChunkSent = true
            stats.snapshotsSent += 1
        }
        pr.chunkAge = 0
        progress.put(pr, at: p)
        return true
    }

    private func broadcastHeartbeat(context: ReadContext) {
        for p in peers {
            let commit = min(progress[p]?.match ?? 0, log.committed)
            send(Message(kind: .heartbeat, from: id, to: p, term: term, commit: commit, context: context))
        }
    }

    /// Queues `m` for the next Ready, moved in: a borrowed message was copied into the outbox and
    /// the caller's destroyed (callgrind: a retain and a release per message built).
    private func send(_ m: consuming Message) {
        if outbox.capacity == 0 { outbox.reserveCapacity(4) }
        outbox.append(m)
    }

    /// Appends for what was proposed since the last Ready: one per follower, carrying every new
    /// entry it can take (a driver that steps a burst of client requests before taking the Ready
    /// sends each follower one datagram for the burst, and gets one answer back).
    private func flushProposals() {
        guard proposalsUnsent else { return }
        proposalsUnsent = false
        guard role == .leader else { return }
        for p in peers { sendAppend(to: p) }
    }

    /// A follower that took several appends from its leader since the last Ready acknowledges only
    /// the furthest: a success for index `i` says the log matches the leader's through `i`, which
    /// covers every other success of the same term to the same leader (whose log only grows within
    /// a term). The furthest goes out where it stood; rejections and everything else go out as they
    /// are, in order.
    private func coalesceAcknowledgements() {
        guard outbox.count > 1 else { return }
        // The furthest success per (leader, term), and where it stands.
        var furthest: [(to: NodeID, term: Term, index: LogIndex, at: Int)] = []
        var successes = 0
        // By index, reading fields in place: iterating the messages copied each one.
        for i in outbox.indices where outbox[i].kind == .appendResponse && !outbox[i].reject {
            successes += 1
            let to = outbox[i].to, term = outbox[i].term, index = outbox[i].index
            if let k = furthest.firstIndex(where: { $0.to == to && $0.term == term }) {
                if index > furthest[k].index { furthest[k] = (to, term, index, i) }
            } else {
                furthest.append((to, term, index, i))
            }
        }
        guard successes > furthest.count else { return }
        var kept: [Message] = []
        kept.reserveCapacity(outbox.count)
        for (i, m) in outbox.enumerated() {
            if m.kind == .appendResponse && !m.reject && !furthest.contains(where: { $0.at == i }) { continue }
            kept.append(m)
        }
        stats.acknowledgementsCoalesced += outbox.count - kept.count
        outbox = kept
    }
}
