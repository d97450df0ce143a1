import Testing
@testable import RaftCore

/// `RaftConfig.asyncStorageWrites`: the driver stores entries in the background and reports them
/// durable later (`RaftNode.persisted(through:term:)`). What may count and what may apply before
/// that report, through the core's inputs and its Readies.
@Suite struct AsyncStorageWritesTests {
    private func asyncNetwork(_ count: Int, seed: UInt64) -> Network {
        Network(count, seed: seed) { $0.asyncStorageWrites = true }
    }

    /// A leader elected and its no-op committed and applied everywhere, reports included.
    private func electedLeader(_ net: Network) -> Bool {
        guard net.elect(1) else { return false }
        for _ in 0..<3 {
            for id in net.ids { net.reportDurable(id) }
            net.deliverAll()
        }
        net.tick(1, times: 5)
        for id in net.ids { net.reportDurable(id) }
        net.deliverAll()
        return net.ids.allSatisfy { net[$0].log.applied == 1 }
    }

    @Test func theLeaderCountsItsOwnEntriesOnlyOnceReportedDurable() throws {
        let net = asyncNetwork(3, seed: 71)
        #expect(electedLeader(net))
        net.crash(3)
        let index = try net.propose(1, "x")
        #expect(index == 2)
        // Handed out for writing, not stable: the next Ready does not hand the entry out again.
        #expect(net[1].log.stabled == 1)
        #expect(net.lastReady(1)?.entries.map(\.index) == [2])
        #expect(net[1].hasReady == false)
        net.deliverAll()
        // Node 2 stored it, but its answer waits for its own report.
        #expect(net[1].progress[2]?.match == 1)
        net.reportDurable(2)
        net.deliverAll()
        #expect(net[1].progress[2]?.match == 2)
        // One follower of three is no majority without the leader's own write.
        #expect(net[1].log.committed == 1)
        net.reportDurable(1)
        #expect(net[1].log.stabled == 2)
        #expect(net[1].log.committed == 2)
        #expect(net.applied[1]!.map(\.index) == [1, 2])
    }

    @Test func theKnownBugCountBeforeWriteCommitsOnTheLeadersUnwrittenEntries() throws {
        let net = Network(3, seed: 76) {
            $0.asyncStorageWrites = true
            $0.bug = .countBeforeWrite
        }
        #expect(electedLeader(net))
        net.crash(3)
        try net.propose(1, "x")
        net.deliverAll()
        net.reportDurable(2)
        net.deliverAll()
        // One follower and the leader's entry that is not on its disk: wrongly a majority.
        #expect(net[1].log.stabled == 1)
        #expect(net[1].log.committed == 2)
    }

    @Test func twoFollowersCommitAndTheLeaderAppliesBeforeItsOwnWriteIsDurable() throws {
        // Thesis §10.2.1: the entry is durable on a majority, the leader's disk is not needed.
        let net = asyncNetwork(3, seed: 72)
        #expect(electedLeader(net))
        try net.propose(1, "x")
        net.deliverAll()
        net.reportDurable(2)
        #expect(net[1].log.committed == 1)
        net.deliverAll()
        #expect(net[1].log.committed == 1)
        net.reportDurable(3)
        net.deliverAll()
        #expect(net[1].log.committed == 2)
        #expect(net[1].log.stabled == 1)
        #expect(net.applied[1]!.map(\.index) == [1, 2])
        // The late report changes the leader's own match, nothing else.
        net.reportDurable(1)
        #expect(net[1].log.stabled == 2)
        #expect(net[1].progress[1]?.match == 2)
        #expect(net.applied[1]!.map(\.index) == [1, 2])
    }

    @Test func aFollowerLearnsACommitBeyondItsDurableLogOnlyFromAnAppend() throws {
        let net = asyncNetwork(3, seed: 73)
        #expect(electedLeader(net))
        try net.propose(1, "x")
        net.deliverAll()
        net.reportDurable(3)
        net.reportDurable(1)
        net.deliverAll()
        #expect(net[1].log.committed == 2)
        // Node 2's acknowledgement waits for its write: heartbeats carry no commit beyond the match
        // it acknowledged.
        net.tick(1, times: 5)
        net.deliverAll()
        #expect(net[2].log.committed == 1)
        #expect(net[1].progress[2]?.match == 1)
        // The next append carries commit 2, which node 2 holds (written, not yet reported): it
        // applies it, as committed entries are durable on a majority.
        try net.propose(1, "y")
        net.deliverAll()
        #expect(net[2].log.committed == 2)
        #expect(net[2].log.stabled == 1)
        #expect(net.applied[2]!.map(\.index) == [1, 2])
        net.reportDurable(2)
        #expect(net[2].log.stabled == 3)
        net.deliverAll()
        #expect(net[1].progress[2]?.match == 3)
    }

    @Test func aReportOfAWriteThatALaterAppendReplacedChangesNothing() throws {
        let net = asyncNetwork(1, seed: 74)
        let n = net[1]
        // A follower of term 1 gets entries 1...2 of term 1 and does not report them yet.
        net.inject(Message(kind: .append, from: 2, to: 1, term: 1, logTerm: 0, index: 0, commit: 0,
                           entries: makeLog([1, 1])))
        #expect(n.log.lastIndex == 2 && n.log.stabled == 0)
        // The leader of term 2 replaces entry 2; the write of the replacement is handed out too.
        net.inject(Message(kind: .append, from: 3, to: 1, term: 2, logTerm: 1, index: 1, commit: 0,
                           entries: makeLog([2], from: 2)))
        #expect(n.log.term(at: 2) == 2)
        #expect(net.lastReady(1)?.entries.map(\.term) == [2])
        // The first write is done: entry 1 is durable, and entry 2 of term 1 is gone, so its report
        // says nothing about index 2.
        n.persisted(through: 2, term: 1)
        #expect(n.log.stabled == 0)
        n.persisted(through: 1, term: 1)
        #expect(n.log.stabled == 1)
        // The second write reports for itself.
        n.persisted(through: 2, term: 2)
        #expect(n.log.stabled == 2)
        // Beyond what was handed out, a report is ignored.
        n.persisted(through: 3, term: 2)
        #expect(n.log.stabled == 2)
    }

    @Test func withoutAsyncWritesAdvanceMakesEntriesStableAndReportsAreIgnored() throws {
        let net = Network(3, seed: 75)
        #expect(net.elect(1))
        try net.propose(1, "x")
        #expect(net[1].log.stabled == 2)
        try #require(net.deliverFirst(settle: false) { $0.kind == .append && $0.to == 2 && !$0.entries.isEmpty } != nil)
        let rd = net.beginReady(2)
        #expect(rd.entries.map(\.index) == [2])
        net[2].persisted(through: 2, term: 1)
        #expect(net[2].log.stabled == 1)
        net.finishReady(2, rd)
        #expect(net[2].log.stabled == 2)
    }
}
