import Testing
@testable import RaftCore

/// Snapshots through the core's inputs and `Ready` only (Raft §7): a node compacting its own log,
/// a leader sending its snapshot in chunks to a follower that needs compacted entries, and a
/// follower assembling, ignoring or installing what it receives — with chunks and answers lost,
/// duplicated, reordered, and nodes crashing in the middle.
///
/// The harness's toy state machine (`Network.state`) makes a snapshot's data the text of every
/// entry applied up to its index, so that "same state" is checked byte for byte.
@Suite struct SnapshotTests {
    // MARK: Helpers

    /// A 3-node cluster led by node 1 in which node 3 was down while `count` commands committed;
    /// node 1 then compacted its log at its applied index (returned). Node 3 is still down.
    private func laggingCluster(count: Int = 40, maxMessageBytes: Int = 64 * 1024) throws -> (Network, LogIndex) {
        let net = Network(3) { $0.maxMessageBytes = maxMessageBytes }
        #expect(net.elect(1))
        net.crash(3)
        for i in 1...count { try net.propose(1, "v\(i)") }
        net.deliverAll()
        let index = try net.compact(1)
        #expect(index == LogIndex(count) + 1)
        return (net, index)
    }

    /// Heartbeat rounds of the leader `id`, delivering everything after each, until `done` or `limit` rounds.
    @discardableResult
    private func heartbeats(_ net: Network, leader id: NodeID, limit: Int = 20, until done: () -> Bool) -> Int {
        for round in 1...limit {
            if done() { return round - 1 }
            net.tick(id, times: 2)  // the harness's heartbeat interval
            net.deliverAll()
        }
        return limit
    }

    /// Heartbeat rounds of leader 1, delivering one round of messages at a time, until a snapshot
    /// chunk is in flight (and left there).
    private func heartbeatsUntilAChunkIsInFlight(_ net: Network) {
        for _ in 0..<20 where !net.inFlight.contains(where: { $0.kind == .snapshot }) {
            net.tick(1, times: 2)
            net.deliverRound()
        }
        #expect(net.inFlight.contains { $0.kind == .snapshot })
    }

    private func chunks(_ net: Network, to id: NodeID) -> [SnapshotChunk] {
        net.sent.filter { $0.kind == .snapshot && $0.to == id }.map { $0.snapshot! }
    }

    /// A follower (node 1) restored from `entries` with commit `commit`, led by node 2 in term 2.
    private func follower(_ terms: [Term], commit: LogIndex) -> Network {
        Network(3, storage: [1: PersistentState(hardState: HardState(term: 2, vote: noNode, commit: commit),
                                                entries: makeLog(terms))])
    }

    private func chunk(_ index: LogIndex, _ term: Term, offset: UInt64 = 0, _ data: String, done: Bool = true,
                       from: NodeID = 2, to: NodeID = 1, messageTerm: Term = 2) -> Message {
        Message(kind: .snapshot, from: from, to: to, term: messageTerm,
                snapshot: SnapshotChunk(metadata: SnapshotMetadata(index: index, term: term,
                                                                   membership: Membership(voters: [1, 2, 3])),
                                        offset: offset, data: Array(data.utf8), done: done))
    }

    // MARK: Compaction of a node's own log

    @Test func compactingDropsTheAppliedPrefixAndHandsTheSnapshotOutToBeStored() throws {
        let net = Network(3)
        #expect(net.elect(1))
        for i in 1...10 { try net.propose(1, "v\(i)") }
        net.deliverAll()
        let leader = net[1]
        #expect(leader.log.applied == 11)
        let stateBefore = net.state[1]!

        try leader.compact(to: 8, data: Array("at 8".utf8))
        let rd = try #require(net.processReady(1))
        let s = try #require(rd.snapshot)
        #expect(!rd.installsSnapshot && rd.snapshotToApply == nil, "the state machine already holds it")
        #expect(s.metadata == SnapshotMetadata(index: 8, term: 1, membership: Membership(voters: [1, 2, 3])))
        #expect(s.data == Array("at 8".utf8))
        #expect(rd.mustSync)
        #expect(leader.log.firstIndex == 9 && leader.log.lastIndex == 11 && leader.log.term(at: 8) == 1)
        #expect(leader.log.term(at: 7) == nil)
        #expect(leader.status.snapshotIndex == 8 && leader.status.firstIndex == 9)
        #expect(net.storage[1]!.firstIndex == 9 && net.storage[1]!.lastIndex == 11)
        #expect(net.storage[1]!.snapshotData == Array("at 8".utf8))
        #expect(leader.stats.snapshotsTaken == 1)
        #expect(net.state[1]! == stateBefore, "compacting does not touch the state machine")

        // A snapshot that an earlier one covers changes nothing; one beyond what is applied is refused.
        #expect(try !leader.compact(to: 8, data: []))
        #expect(try !leader.compact(to: 3, data: []))
        #expect(!leader.hasReady)
        #expect(throws: RaftError.compactionRefused("cannot compact to index 12: only 11 is applied")) {
            try leader.compact(to: 12, data: [])
        }
        // The log goes on after the snapshot.
        try net.propose(1, "after")
        net.deliverAll()
        #expect(leader.log.lastIndex == 12 && leader.log.committed == 12)
        #expect(net[2].log.entries.map(\.index) == Array(1...12), "followers keep their own logs")
    }

    @Test func aNodeRestartsFromItsSnapshotAndTheEntriesAfterIt() throws {
        let net = Network(3)
        #expect(net.elect(1))
        for i in 1...10 { try net.propose(1, "v\(i)") }
        net.deliverAll()
        let index = try net.compact(1)
        for i in 11...13 { try net.propose(1, "v\(i)") }
        net.deliverAll()
        let stateBefore = net.state[1]!
        let appliedBefore = net[1].log.applied
        net.crash(1)
        net.restart(1)
        let log = net[1].log
        #expect(log.firstIndex == index + 1 && log.lastIndex == 14)
        #expect(log.snapshot.index == index && log.snapshot.data == net.storage[1]!.snapshotData)
        #expect(log.applied == appliedBefore, "the snapshot counts as applied; the entries after it are applied again")
        #expect(net.state[1]! == stateBefore)
        #expect(net.durabilityViolations.isEmpty)
    }

    // MARK: A lagging follower

    @Test func aLaggingFollowerCatchesUpByASnapshotSentInChunks() throws {
        let limit = 300
        let (net, index) = try laggingCluster(count: 80, maxMessageBytes: limit)
        let leader = net[1]
        let snapshot = leader.log.snapshot
        #expect(snapshot.data.count > 3 * 100, "large enough to need several chunks")
        net.restart(3)
        heartbeats(net, leader: 1) { net.installed[3]!.count == 1 && net[3].log.lastIndex == leader.log.lastIndex }

        // Node 3 loaded exactly the leader's snapshot, and then the entries after it.
        #expect(net.installed[3]! == [snapshot])
        #expect(net.state[3]! == net.state[1]!)
        #expect(net[3].log.firstIndex == index + 1 && net[3].log.entries == leader.log.entries)
        #expect(net.storage[3]!.snapshot.index == index && net.storage[3]!.snapshotData == snapshot.data)
        #expect(net[3].stats.snapshotsInstalled == 1)
        #expect(leader.progress[3]!.state == .replicate && leader.progress[3]!.match == leader.log.lastIndex)
        #expect(leader.followersNeedingSnapshot.isEmpty)

        // The chunks: in order, back to back, each message within the byte cap, the last one marked.
        let sent = chunks(net, to: 3)
        #expect(sent.count >= 3)
        var offset: UInt64 = 0
        for (i, c) in sent.enumerated() {
            #expect(c.metadata == snapshot.metadata)
            #expect(c.offset == offset)
            #expect(c.done == (i == sent.count - 1))
            offset += UInt64(c.data.count)
        }
        #expect(offset == UInt64(snapshot.data.count))
        #expect(sent.map(\.data).joined().elementsEqual(snapshot.data))
        let messages = net.sent.filter { $0.kind == .snapshot }
        #expect(messages.allSatisfy { $0.byteSize <= limit })
        #expect(leader.stats.snapshotsNeeded == 1 && leader.stats.snapshotsSent == 1)
        #expect(leader.stats.snapshotChunksSent == sent.count && leader.stats.snapshotBytesSent == snapshot.data.count)

        // Every chunk but the last is answered with what the follower holds; the last with an append answer.
        let answers = net.sent.filter { $0.from == 3 && ($0.kind == .snapshotResponse || $0.kind == .appendResponse) }
        let responses = answers.filter { $0.kind == .snapshotResponse }
        #expect(responses.map { $0.snapshot!.offset } == sent.dropLast().map { $0.offset + UInt64($0.data.count) })
        #expect(answers.contains { $0.kind == .appendResponse && !$0.reject && $0.index == index })
        #expect(net.durabilityViolations.isEmpty)
    }

    @Test func theInstallTravelsInOneReadyWithItsAnswerAndIsAppliedBeforeLaterEntries() throws {
        let (net, index) = try laggingCluster()
        net.restart(3)
        heartbeats(net, leader: 1) { net.installed[3]!.count == 1 && net[3].log.lastIndex == net[1].log.lastIndex }
        let readies = net.readies[3]!
        let i = try #require(readies.firstIndex { $0.snapshot != nil })
        let rd = readies[i]
        #expect(rd.installsSnapshot && rd.mustSync)
        #expect(rd.hardState?.commit == index)
        #expect(rd.messages.contains { $0.kind == .appendResponse && $0.index == index })
        #expect(rd.committedEntries.allSatisfy { $0.index > index })
        // Nothing up to the snapshot's index is ever handed out as an entry after it.
        #expect(readies[(i + 1)...].flatMap(\.committedEntries).allSatisfy { $0.index > index })
        #expect(net[3].log.applied == net[1].log.applied)
    }

    // MARK: §7 on the follower

    @Test func aSnapshotNoNewerThanTheCommitIndexIsIgnored() throws {
        for index: LogIndex in [8, 12] {
            let net = follower([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2], commit: 12)
            net.inject(chunk(index, 1, "stale"))
            let rd = try #require(net.lastReady(1))
            #expect(rd.snapshot == nil)
            #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 2, index: 12)])
            #expect(net[1].log.firstIndex == 1 && net[1].log.lastIndex == 14 && net[1].log.committed == 12)
            #expect(net[1].stats.snapshotsIgnored == 1)
            #expect(net.installed[1]!.isEmpty)
        }
    }

    @Test func aFollowerWhoseLogMatchesPastTheSnapshotKeepsItsSuffixAndCommitsUpToIt() throws {
        // Log 1...18, entries 14... of term 2; the snapshot's last entry 15@t2 is in it.
        let terms: [Term] = Array(repeating: 1, count: 13) + Array(repeating: 2, count: 5)
        for done in [true, false] {
            let net = follower(terms, commit: 10)
            net.inject(chunk(15, 2, "whole state", done: done))
            let rd = try #require(net.lastReady(1))
            #expect(rd.snapshot == nil, "the log already holds everything the snapshot stands for")
            #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 2, index: 15)])
            #expect(rd.committedEntries.map(\.index) == Array(11...15))
            let log = net[1].log
            #expect(log.firstIndex == 1 && log.lastIndex == 18 && log.committed == 15)
            #expect(net.logTerms(1) == terms)
            #expect(net[1].stats.snapshotsIgnored == 1 && net[1].stats.snapshotsInstalled == 0)
        }
    }

    @Test func aSnapshotTheLogDoesNotMatchReplacesTheWholeLog() throws {
        // Inside the log with another term at its index, and beyond the log.
        for (index, term) in [(LogIndex(12), Term(2)), (LogIndex(30), Term(2))] {
            let net = follower([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], commit: 3)
            net.inject(chunk(index, term, "S"))
            let rd = try #require(net.readies[1]!.first { $0.snapshot != nil })
            #expect(rd.installsSnapshot && rd.snapshotToApply?.data == Array("S".utf8))
            #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 2, index: index)])
            let log = net[1].log
            #expect(log.firstIndex == index + 1 && log.lastIndex == index && log.lastTerm == term)
            #expect(log.committed == index && log.applied == index)
            let stored = net.storage[1]!
            #expect(stored.firstIndex == index + 1 && stored.lastIndex == index && stored.term(at: index) == term)
            #expect(stored.snapshot.membership == Membership(voters: [1, 2, 3]))
            #expect(stored.hardState.commit == index)
            #expect(net.state[1]! == Array("S".utf8))
            #expect(net.durabilityViolations.isEmpty)
            // Entries after the snapshot are accepted and applied after it.
            net.inject(Message(kind: .append, from: 2, to: 1, term: 2, logTerm: term, index: index,
                               commit: index + 1, entries: [Entry(term: 2, index: index + 1, data: Array("n".utf8))]))
            #expect(net.lastReady(1)?.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 2, index: index + 1)])
            #expect(net.state[1]! == Array("S\(index + 1)=n;".utf8))
        }
    }

    @Test func chunksAreAssembledInOrderWhateverTheNetworkDoes() throws {
        let net = follower([1, 1], commit: 2)
        func answer(_ m: Message) -> Message? {
            net.inject(m)
            return net.lastReady(1)?.messages.last
        }
        let first = chunk(9, 2, "abc", done: false)
        #expect(answer(first)?.snapshot?.offset == 3)
        // A duplicate of the first chunk does not start over.
        #expect(answer(first)?.snapshot?.offset == 3)
        // A chunk ahead of what is held is answered with what is held.
        #expect(answer(chunk(9, 2, offset: 6, "ghi"))?.snapshot?.offset == 3)
        #expect(net.installed[1]!.isEmpty)
        // A chunk of another snapshot, not from its start: reject (start over).
        let other = try #require(answer(chunk(10, 2, offset: 3, "def", done: false)))
        #expect(other.kind == .snapshotResponse && other.reject && other.snapshot?.offset == 0)
        #expect(answer(chunk(9, 2, offset: 3, "def", done: false))?.snapshot?.offset == 6)
        let last = try #require(answer(chunk(9, 2, offset: 6, "ghi")))
        #expect(last.kind == .appendResponse && last.index == 9)
        #expect(net.installed[1]!.map(\.data) == [Array("abcdefghi".utf8)])
        // A chunk after the install finds the snapshot no newer than the commit index.
        #expect(answer(chunk(9, 2, offset: 3, "def"))?.index == 9)
        #expect(net.installed[1]!.count == 1)
    }

    @Test func aSecondLeaderStartsItsOwnTransfer() throws {
        let net = follower([1, 1], commit: 2)
        net.inject(chunk(9, 2, "abc", done: false))
        // Leader 3 of term 3 sends its own snapshot: the new one starts from its first chunk.
        net.inject(chunk(9, 2, offset: 3, "def", done: false, from: 3, messageTerm: 3))
        #expect(net.lastReady(1)?.messages.last?.reject == true)
        net.inject(chunk(11, 3, "xyz", from: 3, messageTerm: 3))
        #expect(net.installed[1]!.map(\.index) == [11])
        #expect(net[1].term == 3 && net[1].leader == 3)
    }

    // MARK: Failures during a transfer

    @Test func aCrashBetweenReceivingAndPersistingLosesTheSnapshotAndItIsSentAgain() throws {
        let (net, index) = try laggingCluster()
        net.restart(3)
        // Deliver everything but the snapshot's (single, last) chunk to node 3.
        heartbeatsUntilAChunkIsInFlight(net)
        net.deliverFirst(settle: false) { $0.kind == .snapshot && $0.to == 3 }
        #expect(net[3].log.offset == index, "the core took it in memory")
        net.crash(3)
        #expect(net.storage[3]!.snapshot == .none && net.storage[3]!.firstIndex == 1, "nothing of it was stored")
        #expect(!net.sent.contains { $0.from == 3 && $0.kind == .appendResponse && !$0.reject && $0.index == index },
                "it was never acknowledged")
        net.restart(3)
        #expect(net[3].log.offset == 0)
        heartbeats(net, leader: 1) { net.installed[3]!.count == 1 && net[3].log.lastIndex == net[1].log.lastIndex }
        #expect(net.installed[3]!.map(\.index) == [index])
        #expect(net.state[3]! == net.state[1]!)
        #expect(net.storage[3]!.snapshot.index == index)
        #expect(net[1].stats.snapshotChunksSent >= 2)
        #expect(net.durabilityViolations.isEmpty)
    }

    @Test func aFollowerThatRestartsMidTransferMakesTheLeaderStartOver() throws {
        let (net, index) = try laggingCluster(maxMessageBytes: 300)
        net.restart(3)
        heartbeatsUntilAChunkIsInFlight(net)
        // The first chunk arrives and is answered; then node 3 crashes and comes back empty-handed.
        net.deliverFirst { $0.kind == .snapshot && $0.to == 3 }
        net.deliverFirst { $0.kind == .snapshotResponse }
        net.crash(3)
        net.restart(3)
        heartbeats(net, leader: 1) { net.installed[3]!.count == 1 && net[3].log.lastIndex == net[1].log.lastIndex }
        #expect(net.sent.contains { $0.from == 3 && $0.kind == .snapshotResponse && $0.reject })
        #expect(chunks(net, to: 3).filter { $0.offset == 0 }.count == 2, "the transfer started over")
        #expect(net.installed[3]!.map(\.index) == [index])
        #expect(net.state[3]! == net.state[1]!)
    }

    @Test(arguments: [Message.Kind.snapshot, .snapshotResponse, .appendResponse])
    func aLostChunkOrAnswerIsSentAgainAfterAHeartbeat(_ lost: Message.Kind) throws {
        let (net, index) = try laggingCluster(maxMessageBytes: 300)
        var dropped = 0
        // Lose the first two messages of this kind on the transfer.
        net.drop = { m in
            guard m.kind == lost, m.to == 3 || m.from == 3, dropped < 2 else { return false }
            if m.kind == .appendResponse && m.index != index { return false }
            dropped += 1
            return true
        }
        net.restart(3)
        let rounds = heartbeats(net, leader: 1, limit: 40) {
            net.installed[3]!.count == 1 && net[3].log.lastIndex == net[1].log.lastIndex
                && net[1].progress[3]!.state == .replicate
        }
        #expect(dropped == 2)
        #expect(rounds < 40, "the transfer finished")
        #expect(net.installed[3]!.map(\.index) == [index])
        #expect(net.state[3]! == net.state[1]!)
    }

    @Test func aLeaderThatCompactsAgainFinishesTheTransferThenSendsItsLatestSnapshot() throws {
        let (net, first) = try laggingCluster(maxMessageBytes: 300)
        net.restart(3)
        heartbeatsUntilAChunkIsInFlight(net)
        // With the first chunk on its way, the leader commits more and compacts again.
        net.block(1, 3)
        net.block(3, 1)
        for i in 1...5 { try net.propose(1, "w\(i)") }
        net.deliverAll()
        let second = try net.compact(1)
        #expect(second > first)
        net.heal()
        heartbeats(net, leader: 1, limit: 40) {
            net.installed[3]!.count == 2 && net[3].log.lastIndex == net[1].log.lastIndex
        }
        #expect(net.installed[3]!.map(\.index) == [first, second])
        #expect(net.state[3]! == net.state[1]!)
        #expect(net[1].stats.snapshotsNeeded == 1 && net[1].stats.snapshotsSent == 2)
    }

    @Test func aNodeThatInstalledASnapshotCanLeadAndSendItsOwn() throws {
        let (net, _) = try laggingCluster()
        net.restart(3)
        heartbeats(net, leader: 1) { net.installed[3]!.count == 1 && net[3].log.lastIndex == net[1].log.lastIndex }
        // Node 2 goes down; 1 and 3 commit more; node 3 compacts what it installed and applied since.
        net.crash(2)
        for i in 1...5 { try net.propose(1, "w\(i)") }
        heartbeats(net, leader: 1) { net[3].log.applied == net[1].log.lastIndex }
        let own = try net.compact(3)
        net.crash(1)
        net.restart(2)
        #expect(net.elect(3))
        heartbeats(net, leader: 3) { net.installed[2]!.count == 1 && net[2].log.applied == net[3].log.lastIndex }
        #expect(net.installed[2]!.map(\.index) == [own])
        #expect(net.state[2]! == net.state[3]!)
        #expect(net[3].stats.snapshotsSent == 1)
    }

    // MARK: Input that does not belong

    @Test func malformedSnapshotMessagesAreDroppedAndCounted() throws {
        let net = follower([1, 1], commit: 2)
        let good = SnapshotChunk(metadata: SnapshotMetadata(index: 9, term: 2), offset: 0, data: [1], done: true)
        var overflow = good
        overflow.offset = UInt64.max
        var indexZero = good
        indexZero.metadata.index = 0
        var futureTerm = good
        futureTerm.metadata.term = 3
        let bad = [
            Message(kind: .snapshot, from: 2, to: 1, term: 2),
            Message(kind: .snapshot, from: 2, to: 1, term: 2, snapshot: overflow),
            Message(kind: .snapshot, from: 2, to: 1, term: 2, snapshot: indexZero),
            Message(kind: .snapshot, from: 2, to: 1, term: 2, snapshot: futureTerm),
            Message(kind: .snapshotResponse, from: 2, to: 1, term: 2),
        ]
        for m in bad { net.inject(m) }
        #expect(net[1].stats.droppedUnexpected == bad.count)
        #expect(net.sent.isEmpty)
        #expect(net[1].log.lastIndex == 2 && net.installed[1]!.isEmpty)
        // An answer about a transfer that is not running is ignored by a leader.
        let (cluster, _) = try laggingCluster()
        let before = cluster.sent.count
        cluster.inject(Message(kind: .snapshotResponse, from: 2, to: 1, term: cluster[1].term,
                               snapshot: SnapshotChunk(metadata: SnapshotMetadata(index: 5, term: 1), offset: 3)))
        #expect(cluster.sent.count == before)
        #expect(cluster[1].progress[2]!.state == .replicate)
    }

    @Test func aSnapshotFromAStaleLeaderIsAnsweredWithTheNewerTerm() throws {
        let net = follower([1, 1], commit: 2)
        net.inject(Message(kind: .heartbeat, from: 3, to: 1, term: 5))
        net.inject(chunk(9, 2, "old leader"))
        #expect(net.lastReady(1)?.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 5)])
        #expect(net.installed[1]!.isEmpty && net[1].log.lastIndex == 2)
    }

    @Test func aCandidateReceivingASnapshotOfItsTermFollowsTheSender() throws {
        let net = Network(3, storage: [1: PersistentState(hardState: HardState(term: 2), entries: makeLog([1, 1]))]) {
            $0.preVote = false
        }
        net.tickUntilCampaign(1)
        #expect(net[1].role == .candidate && net[1].term == 3)
        net.inject(chunk(9, 2, "from the winner", messageTerm: 3))
        #expect(net[1].role == .follower && net[1].leader == 2 && net[1].term == 3)
        #expect(net.installed[1]!.map(\.index) == [9])
    }
}
