import Testing
@testable import RaftCore

/// Leadership transfer (thesis §3.10), through the core's inputs and Ready: the leader stops taking
/// proposals, brings the target up to date, sends it `timeoutNow`; the target campaigns at once,
/// skipping PreVote and the voters' leader lease; abandoned after an election timeout.
@Suite struct LeadershipTransferTests {
    private func stableCluster(_ count: Int = 3, seed: UInt64 = 5) -> Network {
        let net = Network(count, seed: seed)
        #expect(net.elect(1))
        net.tick(1, times: 2)
        net.deliverAll()
        return net
    }

    @Test func anUpToDateTargetGetsTimeoutNowAndWinsWithoutAPreVote() throws {
        let net = stableCluster()
        let term = net[1].term
        try net[1].transferLeadership(to: 2)
        net.settle(1)
        #expect(net.inFlight == [Message(kind: .timeoutNow, from: 1, to: 2, term: term)])
        let sentBefore = net.sent.count
        net.deliverAll()
        #expect(net[2].role == .leader)
        #expect(net[2].term == term + 1)
        #expect(net[1].role == .follower)
        #expect(net[1].leader == 2)
        let campaign = net.sent[sentBefore...].filter { $0.from == 2 && $0.isVoteRequest }
        #expect(campaign.map(\.kind) == [.vote, .vote])
        #expect(campaign.allSatisfy { $0.context == Message.transferCampaign })
        #expect(net[1].stats.transfersStarted == 1)
        #expect(net[1].stats.timeoutNowSent == 1)
    }

    @Test func aLaggingTargetIsCaughtUpFirstAndProposalsAreRefusedMeanwhile() throws {
        let net = stableCluster()
        net.block(1, 2)
        for i in 0..<5 { try net.propose(1, "v\(i)") }
        net.deliverAll()
        #expect(net[2].log.lastIndex < net[1].log.lastIndex)
        try net[1].transferLeadership(to: 2)
        net.settle(1)
        #expect(net[1].leadTransferee == 2)
        do {
            try net[1].propose(Array("refused".utf8))
            Issue.record("a proposal was accepted during a transfer")
        } catch {
            #expect(error == .transferInProgress(to: 2))
        }
        #expect(net.sent.filter { $0.kind == .timeoutNow }.isEmpty)
        net.heal()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net.sent.filter { $0.kind == .timeoutNow }.count == 1)
        #expect(net[2].role == .leader)
        #expect(net[2].log.lastIndex >= 7)
        // Nothing was lost: 2 holds every entry 1 held.
        #expect(net[2].log.entries.prefix(7).map(\.data) == net[1].log.entries.prefix(7).map(\.data))
    }

    @Test func aTransferToAPartitionedTargetIsAbandonedAfterAnElectionTimeout() throws {
        let net = stableCluster()
        net.isolate([2])
        try net[1].transferLeadership(to: 2)
        net.settle(1)
        let maxTicks = net.configs[1]!.electionTicksMax
        for _ in 0..<(maxTicks - 1) {
            net.tick(1)
            net.deliverAll()
        }
        #expect(net[1].leadTransferee == 2)
        net.tick(1)
        net.deliverAll()
        #expect(net[1].leadTransferee == noNode)
        #expect(net[1].stats.transfersAbandoned == 1)
        #expect(net[1].role == .leader)
        let i = try net.propose(1, "again")
        net.deliverAll()
        #expect(net[1].log.committed == i)
    }

    @Test func transfersThatMakeNoSenseAreRefused() throws {
        let net = stableCluster()
        #expect(throws: RaftError.transferRefused("node 1 already leads")) { try net[1].transferLeadership(to: 1) }
        #expect(throws: RaftError.transferRefused("node 7 is not a voter (voters 1,2,3)")) {
            try net[1].transferLeadership(to: 7)
        }
        #expect(throws: RaftError.notLeader(leader: 1)) { try net[2].transferLeadership(to: 3) }
        net.addNode(4)
        try net.change(1, .addLearner(4))
        net.deliverAll()
        #expect(throws: RaftError.transferRefused("node 4 is not a voter (voters 1,2,3 learners 4)")) {
            try net[1].transferLeadership(to: 4)
        }
    }

    @Test func aVoterInItsLeaseStillVotesForATransferCampaign() throws {
        // Node 3 heard from leader 1 a moment ago; an ordinary vote request from 2 would be ignored,
        // one that says it comes from a transfer is answered.
        let net = stableCluster()
        let term = net[1].term
        net.inject(Message(kind: .vote, from: 2, to: 3, term: term + 1, logTerm: net[2].log.lastTerm,
                           index: net[2].log.lastIndex))
        #expect(net[3].term == term)
        net.inject(Message(kind: .vote, from: 2, to: 3, term: term + 1, logTerm: net[2].log.lastTerm,
                           index: net[2].log.lastIndex, context: Message.transferCampaign))
        #expect(net[3].term == term + 1)
        #expect(net[3].vote == 2)
    }
}
