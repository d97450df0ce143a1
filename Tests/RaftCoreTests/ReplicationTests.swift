import Testing
@testable import RaftCore

/// Log replication, §5.3: the consistency check, conflict resolution, fast backup, batching, pipelining.
@Suite struct ReplicationTests {
    /// A 3-node network where node 2 restarts from `log` (terms) in term `term` with commit `commit`.
    private func follower(_ log: [Term], term: Term, commit: LogIndex) -> Network {
        let state = PersistentState(hardState: HardState(term: term, vote: noNode, commit: commit), entries: makeLog(log))
        return Network(3, storage: [2: state])
    }

    @Test func consistencyCheckRejectsAMismatchedPrevLogTerm() throws {
        let net = follower([1, 1, 2], term: 2, commit: 1)
        // prevLogIndex 3 exists but holds term 2, not 1.
        net.inject(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 3, commit: 1,
                           entries: [Entry(term: 2, index: 4)]))
        let rd = try #require(net.lastReady(2))
        #expect(rd.entries.isEmpty)
        // Fast backup: the conflicting term and the first index of that term (above the commit index).
        #expect(rd.messages == [Message(kind: .appendResponse, from: 2, to: 1, term: 2, logTerm: 2, index: 3,
                                        reject: true, rejectHint: 3)])
        #expect(net.logTerms(2) == [1, 1, 2])
        #expect(net[2].leader == 1)
    }

    @Test func consistencyCheckRejectsAPrevLogIndexBeyondTheLog() throws {
        let net = follower([1, 1, 2], term: 2, commit: 1)
        net.inject(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 2, index: 5, commit: 1,
                           entries: [Entry(term: 2, index: 6)]))
        let rd = try #require(net.lastReady(2))
        #expect(rd.entries.isEmpty)
        // The log is too short: no conflicting term, and the hint is just past our last entry.
        #expect(rd.messages == [Message(kind: .appendResponse, from: 2, to: 1, term: 2, logTerm: 0, index: 5,
                                        reject: true, rejectHint: 4)])
        #expect(net.logTerms(2) == [1, 1, 2])
    }

    @Test func conflictingSuffixIsTruncatedAndReplaced() throws {
        let net = follower([1, 1, 2, 2, 2], term: 2, commit: 1)
        let new = [Entry(term: 3, index: 3, data: [3]), Entry(term: 3, index: 4, data: [4])]
        net.inject(Message(kind: .append, from: 1, to: 2, term: 3, logTerm: 1, index: 2, commit: 1, entries: new))
        let rd = try #require(net.lastReady(2))
        // Entries 3...5 of term 2 are gone; the new ones are persisted (synced) and acknowledged together.
        #expect(rd.entries == new)
        #expect(rd.mustSync)
        #expect(rd.messages == [Message(kind: .appendResponse, from: 2, to: 1, term: 3, index: 4)])
        #expect(net.logTerms(2) == [1, 1, 3, 3])
        #expect(net.storage[2]!.entries == Array(makeLog([1, 1]) + new))
    }

    @Test func anAppendThatMatchesDoesNotTruncateLaterEntries() throws {
        let net = follower([1, 1, 2, 2], term: 2, commit: 1)
        // A delayed, older append: its entries are already present; entries 3 and 4 must stay.
        let old = makeLog([1, 1])[1]
        net.inject(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 1, commit: 1, entries: [old]))
        let rd = try #require(net.lastReady(2))
        #expect(rd.entries.isEmpty)
        #expect(rd.messages == [Message(kind: .appendResponse, from: 2, to: 1, term: 2, index: 2)])
        #expect(net.logTerms(2) == [1, 1, 2, 2])
    }

    @Test func aFollowerCommitsNoFurtherThanWhatTheAppendProvedMatches() {
        let net = follower([1, 1, 2, 2], term: 2, commit: 1)
        // The leader's commit is 4, but this message only proves entries up to 2 match.
        net.inject(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 2, commit: 4))
        #expect(net[2].log.committed == 2)
        #expect(net.applied[2]!.map(\.index) == [1, 2])
    }

    /// Figure 7: the leader of term 8 and followers (a)-(f). Each ends with exactly the leader's log,
    /// and the fast backup finds each match point in at most one round trip per conflicting term.
    @Test func figure7FollowersConvergeToTheLeadersLog() throws {
        let leaderLog: [Term] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]
        let followers: [(name: String, log: [Term], term: Term, rejections: Int)] = [
            ("a", [1, 1, 1, 4, 4, 5, 5, 6, 6], 6, 1),        // missing one entry
            ("b", [1, 1, 1, 4], 4, 1),                       // missing many
            ("c", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], 6, 0),  // one extra uncommitted entry
            ("d", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], 7, 0), // two extra entries of term 7
            ("e", [1, 1, 1, 4, 4, 4, 4], 4, 2),              // missing entries, extra of term 4
            ("f", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], 3, 2),  // extra entries of terms 2 and 3
        ]
        var storage: [NodeID: PersistentState] = [
            1: PersistentState(hardState: HardState(term: 7, vote: noNode, commit: 3), entries: makeLog(leaderLog)),
        ]
        for (i, f) in followers.enumerated() {
            storage[NodeID(i + 2)] = PersistentState(hardState: HardState(term: f.term, vote: noNode, commit: 3),
                                                     entries: makeLog(f.log))
        }
        let net = Network(7, seed: 8, storage: storage)
        #expect(net.elect(1))
        #expect(net[1].term == 8)
        // The leader's log gained its no-op of term 8.
        #expect(net.logTerms(1) == leaderLog + [8])
        // One heartbeat round carries the final commit index.
        net.tick(1, times: 2)
        net.deliverAll()
        for (i, f) in followers.enumerated() {
            let id = NodeID(i + 2)
            #expect(net[id].log.entries == net[1].log.entries, "follower (\(f.name))")
            #expect(net.storage[id]!.entries == net[1].log.entries, "follower (\(f.name)) storage")
            #expect(net[id].log.committed == 11, "follower (\(f.name))")
            let rejections = net.sent.filter { $0.kind == .appendResponse && $0.reject && $0.from == id }.count
            #expect(rejections == f.rejections, "follower (\(f.name)) needed \(rejections) rejections")
        }
        #expect(net[1].log.committed == 11)
    }

    @Test func manyProposalsGoInFewMessagesWithinMaxMessageBytes() throws {
        let net = Network(3, seed: 4) { $0.maxInflight = 1; $0.maxMessageBytes = 1000 }
        #expect(net.elect(1))
        let before = net.sent.count
        let payload = [UInt8](repeating: 7, count: 100)  // each entry counts 124 bytes
        for _ in 0..<100 {
            try net[1].propose(payload)
            net.settle(1)
        }
        net.deliverAll()
        let appends = net.sent[before...].filter { $0.kind == .append && $0.to == 2 && !$0.entries.isEmpty }
        // The first proposal goes alone; the other 99 wait for the window and then go 8 at a time (8 * 124 = 992).
        #expect(appends.map(\.entries.count) == [1] + Array(repeating: 8, count: 12) + [3])
        for m in appends { #expect(m.entries.reduce(0) { $0 + $1.byteSize } <= 1000) }
        #expect(net[2].log.entries == net[1].log.entries)
        #expect(net[2].log.lastIndex == 101)

        // A single proposal larger than the cap is refused.
        #expect(throws: RaftError.proposalTooLarge(bytes: 1001, limit: 1000)) {
            try net[1].propose([UInt8](repeating: 0, count: 977))
        }
    }

    @Test func pipeliningKeepsAtMostMaxInflightAppendsOutstanding() throws {
        let net = Network(3, seed: 5) { $0.maxInflight = 3 }
        #expect(net.elect(1))
        #expect(net[1].progress[2]!.state == .replicate)
        func outstanding(_ p: NodeID) -> [[LogIndex]] {
            net.inFlight.filter { $0.kind == .append && $0.to == p && !$0.entries.isEmpty }.map { $0.entries.map(\.index) }
        }
        for i in 0..<10 { try net.propose(1, "w\(i)") }
        // Three appends left without waiting for any answer, one entry each; the other seven wait.
        #expect(outstanding(2) == [[2], [3], [4]])
        #expect(outstanding(3) == [[2], [3], [4]])
        #expect(net[1].progress[2]!.inflights.count == 3)
        #expect(net[1].progress[2]!.next == 5)

        // One answer frees one slot, which takes everything still unsent.
        net.deliverFirst { $0.kind == .append && $0.to == 2 }
        net.deliverFirst { $0.kind == .appendResponse && $0.from == 2 }
        #expect(outstanding(2) == [[3], [4], Array(5...11)])

        while net.deliverNext() != nil {
            for p: NodeID in [2, 3] {
                #expect(outstanding(p).count <= 3)
                #expect(net[1].progress[p]!.inflights.count <= 3)
            }
        }
        #expect(net[2].log.entries == net[1].log.entries)
        #expect(net[3].log.entries == net[1].log.entries)
        #expect(net[1].log.committed == 11)
    }

    @Test func aFollowerWhoseAppendWasLostCatchesUpFromHeartbeatsAlone() throws {
        let net = Network(3, seed: 6)
        #expect(net.elect(1))
        // The append with the entry to node 2 is lost (a commit is not announced by an append of
        // its own: it rides on the next append or heartbeat).
        net.drop = { $0.kind == .append && $0.to == 2 }
        try net.propose(1, "x")
        net.deliverAll()
        #expect(net[1].log.committed == 2)
        #expect(net.lost.count == 1)
        #expect(net[2].log.lastIndex == 1)
        net.drop = nil
        // No more writes: only heartbeats flow.
        for _ in 0..<3 { net.tick(1, times: 2); net.deliverAll() }
        #expect(net[2].log.entries == net[1].log.entries)
        #expect(net[2].log.committed == 2)
    }

    @Test func aNewCommitIndexReachesCaughtUpFollowersWithTheNextHeartbeatNotAnAppendOfItsOwn() throws {
        let net = Network(3, seed: 6)
        #expect(net.elect(1))
        var appends = 0
        net.drop = { m in
            if m.kind == .append { appends += 1 }
            return false
        }
        try net.propose(1, "x")
        net.deliverAll()
        // One append per follower carries the entry; their answers commit it on the leader, which
        // sends nothing more until it has something to say.
        #expect(appends == 2)
        #expect(net[1].log.committed == 2)
        #expect(net[2].log.committed == 1 && net[3].log.committed == 1)
        #expect(net[2].log.lastIndex == 2 && net[3].log.lastIndex == 2)
        // The next heartbeat carries the commit index.
        net.tick(1, times: 5)
        net.deliverAll()
        #expect(appends == 2)
        #expect(net[2].log.committed == 2 && net[3].log.committed == 2)
    }

    @Test func aFullWindowOfLostAppendsDoesNotStallAFollowerForever() throws {
        let net = Network(3, seed: 6) { $0.maxInflight = 2 }
        #expect(net.elect(1))
        net.drop = { $0.kind == .append && $0.to == 2 && !$0.entries.isEmpty }
        try net.propose(1, "a")
        try net.propose(1, "b")
        net.deliverAll()
        net.drop = nil
        // The window to node 2 is full of lost messages; more writes and heartbeats follow.
        try net.propose(1, "c")
        for _ in 0..<3 { net.tick(1, times: 2); net.deliverAll() }
        #expect(net[2].log.entries == net[1].log.entries)
        #expect(net[2].log.lastIndex == 4)
        #expect(net[2].log.committed == 4)
    }

    @Test func proposalsSteppedTogetherGoOutAsOneAppendPerFollower() throws {
        let net = Network(3)
        #expect(net.elect(1))
        net.deliverAll()
        let last = net[1].log.lastIndex
        // Three client requests stepped before the driver takes the Ready (one read burst).
        for v in ["a", "b", "c"] { try net[1].propose(Array(v.utf8)) }
        let rd = try #require(net.processReady(1))
        for p: NodeID in [2, 3] {
            let appends = rd.messages.filter { $0.kind == .append && $0.to == p }
            #expect(appends.count == 1, "one append to node \(p), not one per proposal")
            #expect(appends.first?.entries.map(\.index) == [last + 1, last + 2, last + 3])
            #expect(appends.first?.index == last)
        }
        net.deliverAll()
        #expect(net[1].log.committed == last + 3)
        // A proposal on a node that stopped leading before its Ready sends nothing.
        try net[1].propose(Array("d".utf8))
        net[1].step(Message(kind: .append, from: 2, to: 1, term: net[1].term + 1, logTerm: 0, index: 0, commit: 0))
        let after = try #require(net.processReady(1))
        #expect(after.messages.allSatisfy { $0.kind != .append })
    }

    @Test func aFollowerAcknowledgesOnlyTheFurthestOfTheAppendsInOneReady() throws {
        let net = follower([1, 1], term: 2, commit: 1)
        let appends = [
            Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 2, commit: 1, entries: [Entry(term: 2, index: 3)]),
            Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 2, index: 3, commit: 1, entries: [Entry(term: 2, index: 4)]),
            // A late copy of the first: its answer (index 3) is covered by the one for index 4.
            Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 2, commit: 1, entries: [Entry(term: 2, index: 3)]),
            // One that does not match (prevLogIndex beyond the log): its rejection goes out as it is.
            Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 2, index: 9, commit: 1, entries: [Entry(term: 2, index: 10)]),
        ]
        for m in appends { net[2].step(m) }
        let rd = try #require(net.processReady(2))
        #expect(rd.entries.map(\.index) == [3, 4])
        #expect(rd.messages == [
            Message(kind: .appendResponse, from: 2, to: 1, term: 2, index: 4),
            Message(kind: .appendResponse, from: 2, to: 1, term: 2, logTerm: 0, index: 9, reject: true, rejectHint: 5),
        ])
        #expect(net[2].stats.acknowledgementsCoalesced == 2)
    }
}
