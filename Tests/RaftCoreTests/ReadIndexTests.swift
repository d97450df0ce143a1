import Testing
@testable import RaftCore

/// Linearizable reads through ReadIndex (thesis §6.4): a leader answers only after a quorum confirms it leads.
@Suite struct ReadIndexTests {
    /// A 5-node cluster whose leader 1 has committed a no-op and one write, known to all.
    private func stableCluster() throws -> Network {
        let net = Network(5, seed: 41)
        #expect(net.elect(1))
        try net.propose(1, "x")
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].log.committed == 2)
        return net
    }

    @Test func aReadIsReleasedOnlyAfterAQuorumOfHeartbeatAnswersWithItsContext() throws {
        let net = try stableCluster()
        try net[1].readIndex(42)
        net.settle(1)
        let rd = try #require(net.lastReady(1))
        #expect(rd.readStates.isEmpty)
        #expect(rd.messages == [2, 3, 4, 5].map {
            Message(kind: .heartbeat, from: 1, to: $0, term: 1, commit: 2, context: 42)
        })
        net.deliverRound()  // heartbeats reach the followers
        #expect(net.inFlight.map(\.kind) == Array(repeating: .heartbeatResponse, count: 4))
        #expect(net.inFlight.allSatisfy { $0.context == 42 })

        net.deliverFirst { $0.from == 2 }
        #expect(net.readStates[1]!.isEmpty)  // the leader and one follower: 2 of 5
        // An answer for some other context confirms nothing.
        net.inject(Message(kind: .heartbeatResponse, from: 4, to: 1, term: 1, context: 99))
        #expect(net.readStates[1]!.isEmpty)
        net.deliverFirst { $0.from == 3 }
        #expect(net.readStates[1]! == [ReadState(index: 2, context: 42)])
        net.deliverAll()
        #expect(net.readStates[1]! == [ReadState(index: 2, context: 42)])  // released once
    }

    @Test func aQuorumForALaterReadReleasesTheEarlierOnesInOrder() throws {
        let net = try stableCluster()
        try net[1].readIndex(1)
        net.settle(1)
        net.discard { $0.kind == .heartbeat }  // the first round is lost
        try net.propose(1, "y")
        net.deliverAll()
        #expect(net[1].log.committed == 3)
        try net[1].readIndex(2)
        net.settle(1)
        net.deliverAll()
        // Read 1 was registered at commit 2, read 2 at commit 3.
        #expect(net.readStates[1]! == [ReadState(index: 2, context: 1), ReadState(index: 3, context: 2)])
    }

    @Test func aNewLeaderDefersReadsUntilItsNoopCommits() throws {
        let storage = [NodeID(1), 2, 3].reduce(into: [NodeID: PersistentState]()) {
            $0[$1] = PersistentState(hardState: HardState(term: 1, vote: noNode, commit: 2), entries: makeLog([1, 1]))
        }
        let net = Network(3, seed: 42, storage: storage)
        net.tickUntilCampaign(1)
        while net[1].role != .leader {
            guard net.deliverNext() != nil else { Issue.record("node 1 never led"); return }
        }
        #expect(net[1].term == 2)
        #expect(net[1].log.committed == 2)
        #expect(net[1].committedInCurrentTerm == false)
        try net[1].readIndex(7)
        net.settle(1)
        // Nothing asked yet: the leader does not know the commit index of its term.
        #expect(!net.inFlight.contains { $0.context == 7 })
        #expect(!net.sent.contains { $0.context == 7 })
        net.deliverAll()
        // The no-op (index 3) committed, then the read went round, registered at index 3, not 2.
        #expect(net[1].committedInCurrentTerm)
        #expect(net.sent.filter { $0.kind == .heartbeat && $0.context == 7 }.count == 2)
        #expect(net.readStates[1]! == [ReadState(index: 3, context: 7)])
    }

    @Test func aFollowerRefusesReadsAndProposals() throws {
        let net = Network(3, seed: 43)
        #expect(throws: RaftError.notLeader(leader: noNode)) { try net[2].readIndex(1) }
        #expect(net.elect(1))
        #expect(throws: RaftError.notLeader(leader: 1)) { try net[2].readIndex(1) }
        #expect(throws: RaftError.notLeader(leader: 1)) { try net[3].propose([1]) }
        #expect(RaftError.notLeader(leader: 1).description == "not the leader (leader is 1)")
        #expect(RaftError.notLeader(leader: noNode).description == "not the leader (leader unknown)")
    }

    @Test func aLeaderThatStepsDownReportsItsPendingReadsAsDropped() throws {
        let net = try stableCluster()
        net.drop = { $0.kind == .heartbeat }
        try net[1].readIndex(5)
        try net[1].readIndex(6)
        net.settle(1)
        #expect(net.droppedReads[1]!.isEmpty)
        // Some node answers with a higher term.
        net.inject(Message(kind: .appendResponse, from: 2, to: 1, term: 2))
        #expect(net[1].role == .follower)
        #expect(net.lastReady(1)?.droppedReads == [5, 6])
        #expect(net.droppedReads[1]! == [5, 6])
        #expect(net.readStates[1]!.isEmpty)
    }

    @Test func aNewLeaderThatStepsDownDropsItsDeferredReads() throws {
        let net = Network(3, seed: 44)
        net.tickUntilCampaign(1)
        while net[1].role != .leader {
            guard net.deliverNext() != nil else { Issue.record("node 1 never led"); return }
        }
        try net[1].readIndex(8)  // deferred: the no-op is not committed
        net.settle(1)
        net.inject(Message(kind: .heartbeat, from: 2, to: 1, term: 5))
        #expect(net[1].role == .follower)
        #expect(net[1].leader == 2)
        #expect(net.droppedReads[1]! == [8])
    }

    @Test func aSingleNodeClusterServesReadsAtOnce() throws {
        let net = Network(1, seed: 45)
        net.tickUntilCampaign(1)
        #expect(net[1].role == .leader)
        #expect(net[1].log.committed == 1)
        try net.propose(1, "x")
        #expect(net[1].log.committed == 2)
        let sentBefore = net.sent.count
        try net[1].readIndex(9)
        #expect(net[1].hasReady)
        let rd = try #require(net.processReady(1))
        #expect(rd.readStates == [ReadState(index: 2, context: 9)])
        #expect(net.sent.count == sentBefore)  // nobody to ask
    }

    @Test func aSingleNodeLeaderDefersAReadUntilItsNoopIsStable() throws {
        let n = try RaftNode(config: testConfig(id: 1, voters: [1]), random: SplitMix64(seed: 2))
        while n.role != .leader { n.tick() }
        try n.readIndex(3)
        let rd = n.ready()
        #expect(rd.readStates.isEmpty)
        n.advance(rd)  // the no-op is stable, hence committed
        #expect(n.ready().readStates == [ReadState(index: 1, context: 3)])
    }
}
