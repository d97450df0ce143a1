import Testing
@testable import RaftCore

/// PreVote (thesis §9.6), CheckQuorum and the leader lease on votes (thesis §6.2, §4.2.3).
@Suite struct PreVoteCheckQuorumTests {
    @Test func aPartitionedNodeDoesNotRaiseItsTermAndDoesNotDisruptOnReturn() throws {
        let net = Network(3, seed: 51)
        #expect(net.elect(1))
        let votesBefore = net.sent.filter { $0.kind == .vote }.count
        #expect(votesBefore == 2)
        net.isolate([3])
        var roles3: Set<Role> = []
        for round in 0..<300 {
            if round % 50 == 0 { try net.propose(1, "w\(round)") }
            net.tickAll()
            net.deliverAll()
            roles3.insert(net[3].role)
        }
        // It kept asking for pre-votes, failed, and stayed in term 1.
        #expect(net.sent.filter { $0.kind == .preVote && $0.from == 3 }.count > 10)
        #expect(roles3 == [.follower, .preCandidate])
        #expect(net[3].term == 1)
        #expect(net.leaders.map(\.id) == [1])

        net.heal()
        for _ in 0..<100 { net.tickAll(); net.deliverAll() }
        #expect(net.leaders.map(\.id) == [1])
        for id in net.ids {
            #expect(net[id].term == 1)
            #expect(net[id].leader == 1)
        }
        #expect(net[3].log.entries == net[1].log.entries)
        #expect(net[3].log.committed == net[1].log.committed)
        // No real election ever happened after the first.
        #expect(net.sent.filter { $0.kind == .vote }.count == votesBefore)
    }

    /// The contrast: without PreVote and CheckQuorum the same partition inflates the term and the
    /// returning node deposes a healthy leader.
    @Test func withoutPreVoteAPartitionedNodeDisruptsTheLeaderOnReturn() throws {
        let net = Network(3, seed: 51) { $0.preVote = false; $0.checkQuorum = false }
        #expect(net.elect(1))
        net.isolate([3])
        for _ in 0..<300 { net.tickAll(); net.deliverAll() }
        let inflated = net[3].term
        #expect(inflated > 5)
        #expect(net[1].term == 1)
        net.heal()
        net.tick(3, times: 20)  // its next election reaches everyone
        net.deliverAll()
        #expect(net[1].term >= inflated)
        #expect(!net.leaders.contains { $0.id == 1 && $0.term == 1 })
    }

    @Test func aLeaderCutOffFromAQuorumStepsDownAfterAnElectionTimeout() throws {
        let net = Network(3, seed: 52)
        #expect(net.elect(1))
        net.isolate([1])
        try net[1].readIndex(77)
        net.settle(1)
        // The followers answered just after the election, so the first check (tick 10) passes; the
        // second (tick 20) finds nobody heard from during the previous election timeout.
        net.tick(1, times: 19)
        #expect(net[1].role == .leader)
        net.tick(1)
        #expect(net[1].role == .follower)
        #expect(net[1].leader == noNode)
        #expect(net[1].term == 1)
        #expect(net.droppedReads[1]! == [77])
        #expect(throws: RaftError.notLeader(leader: noNode)) { try net[1].propose([1]) }
    }

    @Test func aLeaderThatHearsFromAQuorumStaysWithoutCheckQuorumItNeverNotices() throws {
        // Cut off from one follower only: it still hears from a quorum.
        let net = Network(3, seed: 53)
        #expect(net.elect(1))
        net.isolate([3])
        for _ in 0..<100 { net.tick(1); net.tick(2); net.deliverAll() }
        #expect(net[1].role == .leader)

        // Cut off from everyone, but not checking: it leads on, unaware.
        let blind = Network(3, seed: 53) { $0.checkQuorum = false }
        #expect(blind.elect(1))
        blind.isolate([1])
        blind.tick(1, times: 100)
        #expect(blind[1].role == .leader)
    }

    @Test func nodesIgnoreVoteRequestsWithinTheLeaseOfALiveLeader() throws {
        let net = Network(3, seed: 54) { $0.preVote = false }
        #expect(net.elect(1))
        net.tick(1, times: 2)
        net.deliverAll()
        let request = Message(kind: .vote, from: 3, to: 2, term: 5, logTerm: 9, index: 99)
        net.inject(request)
        #expect(net[2].stats.ignoredVotesInLease == 1)
        #expect(net[2].term == 1)
        #expect(net[2].leader == 1)
        #expect(net.inFlight.isEmpty)
        // The leader ignores it too.
        net.inject(Message(kind: .vote, from: 3, to: 1, term: 5, logTerm: 9, index: 99))
        #expect(net[1].stats.ignoredVotesInLease == 1)
        #expect(net[1].role == .leader)
        #expect(net[1].term == 1)

        // Once an election timeout passes without hearing from the leader, the same request is granted.
        net.tick(2, times: 10)
        net.discard { _ in true }
        net.inject(request)
        #expect(net[2].stats.ignoredVotesInLease == 1)
        #expect(net[2].term == 5)
        #expect(net[2].vote == 3)
        #expect(net.lastReady(2)?.messages == [Message(kind: .voteResponse, from: 2, to: 3, term: 5)])
    }

    @Test func preVotesAreIgnoredWithinTheLeaseToo() throws {
        let net = Network(3, seed: 55)
        #expect(net.elect(1))
        net.inject(Message(kind: .preVote, from: 3, to: 2, term: 2, logTerm: 9, index: 99))
        #expect(net[2].stats.ignoredVotesInLease == 1)
        #expect(net.inFlight.isEmpty)
        #expect(net[2].term == 1)
    }

    @Test func aGrantedPreVoteChangesNothingOnTheVoter() throws {
        let net = Network(3, seed: 56)
        net.inject(Message(kind: .preVote, from: 3, to: 2, term: 1, logTerm: 0, index: 0))
        let rd = try #require(net.lastReady(2))
        #expect(rd.messages == [Message(kind: .preVoteResponse, from: 2, to: 3, term: 1)])
        #expect(rd.hardState == nil)
        #expect(net[2].term == 0)
        #expect(net[2].vote == noNode)
        // So it can still grant a real vote to someone else in term 1.
        net.inject(Message(kind: .vote, from: 1, to: 2, term: 1))
        #expect(net.lastReady(2)?.messages == [Message(kind: .voteResponse, from: 2, to: 1, term: 1)])
    }
}
