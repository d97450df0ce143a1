import Testing
@testable import RaftCore

/// Single-server membership change (thesis §4.1), through the core's inputs and Ready: a change is a
/// `.config` entry in force on each node once appended; one at a time, and only after the leader
/// committed an entry of its term; learners; removed leaders; quorums of the configuration in force.
@Suite struct MembershipTests {
    /// A 3-node cluster whose leader 1 has committed its no-op, known to all.
    private func stableCluster(_ count: Int = 3, seed: UInt64 = 7,
                               configure: (inout RaftConfig) -> Void = { _ in }) -> Network {
        let net = Network(count, seed: seed, configure: configure)
        #expect(net.elect(1))
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].committedInCurrentTerm)
        return net
    }

    @Test func aLearnerCatchesUpWithoutVotingThenIsPromoted() throws {
        let net = stableCluster()
        try net.propose(1, "a")
        net.deliverAll()
        net.addNode(4)
        #expect(net[4].membership.isEmpty)
        let at = try net.change(1, .addLearner(4))
        // In force on the leader at once, before it commits.
        #expect(net[1].membership == Membership(voters: [1, 2, 3], learners: [4]))
        #expect(net[1].log.committed < at)
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        for id: NodeID in 1...4 {
            #expect(net[id].membership == Membership(voters: [1, 2, 3], learners: [4]), "node \(id)")
        }
        #expect(net[4].log.lastIndex == net[1].log.lastIndex)
        #expect(net.applied[4]!.map(\.data) == net.applied[1]!.map(\.data))
        // A learner never campaigns, however long it hears nothing.
        net.tick(4, times: 200)
        #expect(net[4].role == .follower)
        #expect(net.inFlight.filter { $0.from == 4 }.isEmpty)

        try net.change(1, .addVoter(4))
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        for id: NodeID in 1...4 { #expect(net[id].membership == Membership(voters: [1, 2, 3, 4]), "node \(id)") }
        // Four voters: 1, 2 and 4 are a quorum without 3.
        net.crash(3)
        let i = try net.propose(1, "b")
        net.deliverAll()
        #expect(net[1].log.committed == i)
    }

    @Test func aLearnerThatNoLongerHearsItsLeaderAnswersVoteRequests() throws {
        let net = stableCluster()
        net.addNode(4)
        try net.change(1, .addLearner(4))
        net.deliverAll()
        net.crash(1)
        net.tick(4, times: 45)  // well past any election timeout: no lease any more
        #expect(net[4].role == .follower)
        net.inject(Message(kind: .preVote, from: 2, to: 4, term: net[2].term + 1, logTerm: net[2].log.lastTerm,
                           index: net[2].log.lastIndex))
        #expect(net.inFlight.contains { $0.kind == .preVoteResponse && $0.from == 4 && !$0.reject })
    }

    @Test func commitCountsTheVotersInForceFromTheMomentTheChangeIsAppended() throws {
        let net = stableCluster()
        net.addNode(4)
        try net.change(1, .addVoter(4))  // straight in as a voter: 4 voters, quorum 3
        net.crash(3)
        net.crash(4)
        let i = try net.propose(1, "x")
        net.deliverAll()
        // 1 and 2 hold everything: a majority of {1,2,3} but not of {1,2,3,4}.
        #expect(net[2].log.lastIndex == i)
        #expect(net[1].log.committed < i - 1)
        // A read is not confirmed by two of four voters either.
        try net[1].readIndex(5)
        net.settle(1)
        net.deliverAll()
        #expect(net.readStates[1]!.isEmpty)
        net.restart(4)
        net.tick(1, times: 2)
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].log.committed == i)
        #expect(net.readStates[1]!.map(\.context) == [5])
    }

    @Test func aLeaderChangesTheMembershipOnlyAfterCommittingAnEntryOfItsTerm() throws {
        let net = Network(3, seed: 3)
        net.drop = { $0.kind == .append }  // votes pass, appends do not: the no-op cannot commit
        #expect(net.elect(1))
        #expect(!net[1].committedInCurrentTerm)
        #expect(throws: RaftError.self) { try net[1].proposeChange(.addLearner(4)) }
        do {
            try net[1].proposeChange(.addLearner(4))
        } catch {
            #expect("\(error)".contains("has not committed an entry of its term"))
        }
        net.heal()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].committedInCurrentTerm)
        try net.change(1, .addLearner(4))
    }

    @Test func oneChangeAtATime() throws {
        let net = stableCluster()
        net.isolate([1])
        let at = try net.change(1, .addLearner(4))
        do {
            try net[1].proposeChange(.addLearner(5))
            Issue.record("a second change was accepted")
        } catch {
            #expect("\(error)" == "membership change refused: the change at index \(at) is not committed yet "
                        + "(commit \(at - 1)); one change at a time")
        }
        net.heal()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].log.committed == at)
        try net.change(1, .addLearner(5))
    }

    @Test func jointConsensusAndNonsenseAreRefusedWithAClearError() throws {
        let net = stableCluster()
        let expectRefused = { (f: () throws(RaftError) -> Void, text: String) in
            do {
                try f()
                Issue.record("accepted, expected: \(text)")
            } catch {
                #expect("\(error)".contains(text), "\(error)")
            }
        }
        expectRefused({ () throws(RaftError) in try net[1].proposeMembership(Membership(voters: [1, 2, 3, 4, 5])) },
                      "joint consensus is not supported")
        expectRefused({ () throws(RaftError) in try net[1].proposeMembership(Membership(voters: [1, 4, 5])) },
                      "changes 4 voters at once")
        expectRefused({ () throws(RaftError) in try net[1].proposeChange(.addVoter(2)) }, "node 2 is already a voter")
        expectRefused({ () throws(RaftError) in try net[1].proposeChange(.remove(9)) }, "node 9 is not a member")
        expectRefused({ () throws(RaftError) in try net[2].proposeChange(.remove(3)) }, "not the leader (leader is 1)")
        // One voter and a learner at once is a single-server change.
        net.addNode(4)
        net.addNode(5)
        try net[1].proposeMembership(Membership(voters: [1, 2, 3, 4], learners: [5]))
        let single = Network(1, seed: 2)
        #expect(single.elect(1))
        expectRefused({ () throws(RaftError) in try single[1].proposeChange(.remove(1)) }, "the last voter")
    }

    @Test func aTruncatedChangeIsNoLongerInForce() throws {
        let net = stableCluster()
        net.isolate([1])
        try net.change(1, .addLearner(4))
        #expect(net[1].membership.learners == [4])
        // 2 and 3 elect one of them (1 steps down: CheckQuorum); 1 returns and its uncommitted
        // change is overwritten.
        net.run(rounds: 60)
        #expect(net.leaders.map(\.id).allSatisfy { $0 != 1 } && net.leaders.count == 1)
        net.heal()
        net.run(rounds: 10)
        #expect(net[1].role == .follower)
        #expect(net[1].membership == Membership(voters: [1, 2, 3]))
        #expect(net[1].log.entries.allSatisfy { $0.kind != .config })
    }

    @Test func aRemovedFollowerThatKeepsCampaigningDoesNotDisruptTheCluster() throws {
        let net = stableCluster(5)
        let term = net[1].term
        // The leader stops writing to 5 as soon as it appends the change: 5 never learns it was
        // removed, hears no more heartbeats, and campaigns again and again. PreVote (its log is
        // behind) and CheckQuorum (the others hear from their leader) keep it from disturbing anyone.
        let at = try net.change(1, .remove(5))
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].log.committed >= at)
        #expect(net[1].membership == Membership(voters: [1, 2, 3, 4]))
        net.run(rounds: 300)
        #expect(net[5].role != .leader)
        #expect(net.sent.contains { $0.from == 5 && $0.kind == .preVote })
        #expect(net[5].term == term)
        for id: NodeID in 1...4 { #expect(net[id].term == term, "node \(id)") }
        #expect(net[1].role == .leader)
        let i = try net.propose(1, "still leading")
        net.deliverAll()
        #expect(net[1].log.committed == i)
    }

    @Test func aRemovedLeaderStepsDownOnceItsRemovalCommitsAndNeverCampaigns() throws {
        let net = stableCluster()
        let at = try net.change(1, .remove(1))
        #expect(net[1].role == .leader)  // it leads a cluster it is no longer part of until the change commits
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[1].role == .follower)
        #expect(net[1].stats.removedLeaderStepDowns == 1)
        #expect(net[1].log.committed >= at)
        net.run(rounds: 100)
        let leaders = net.leaders.map(\.id)
        #expect(leaders.count == 1)
        #expect(leaders.allSatisfy { [2, 3].contains($0) })
        #expect(net[1].role == .follower)
        let l = leaders[0]
        let i = try net.propose(l, "after")
        net.deliverAll()
        #expect(net[l].log.committed == i)
    }

    @Test func snapshotsRecordTheMembershipAndBringItToJoiningNodesAndRestarts() throws {
        let net = stableCluster()
        net.addNode(4)
        try net.change(1, .addLearner(4))
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        try net.propose(1, "a")
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        let index = try net.compact(1)
        #expect(net.storage[1]!.snapshot.membership == Membership(voters: [1, 2, 3], learners: [4]))
        #expect(net[1].membership(at: index) == Membership(voters: [1, 2, 3], learners: [4]))
        // 5 joins after the compaction: a snapshot brings it the membership.
        net.addNode(5)
        try net.change(1, .addLearner(5))
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net.installed[5]!.map(\.index) == [index])
        #expect(net[5].membership == Membership(voters: [1, 2, 3], learners: [4, 5]))
        // A restart finds the membership in its snapshot and its log.
        net.crash(5)
        net.restart(5)
        #expect(net[5].membership == Membership(voters: [1, 2, 3], learners: [4, 5]))
        net.crash(1)
        net.restart(1)
        #expect(net[1].membership == Membership(voters: [1, 2, 3], learners: [4, 5]))
    }

    @Test func membershipEncodingRoundTripsAndRejectsGarbage() {
        let m = Membership(voters: [3, 1, 2], learners: [9])
        #expect(Membership(decoding: m.encoded) == m)
        #expect(Membership(decoding: []) == nil)
        #expect(Membership(decoding: [2] + m.encoded.dropFirst()) == nil)
        #expect(Membership(decoding: m.encoded + [0]) == nil)
        #expect(Membership(decoding: Array(m.encoded.dropLast())) == nil)
        #expect(Membership(decoding: Membership(voters: [1]).encoded.map { $0 == 1 ? 0 : $0 }) == nil)
    }

    // MARK: - The published single-server change bug

    /// The bug Ongaro published in 2015 (raft-dev, "bug in single-server membership changes"), with
    /// a = 1, b = 2, c = 3, d = 4, e = 5: in term 1 leader 1 of {1,2,3,4} adds 5 but only 5 gets the
    /// entry; 4 is elected in term 2 by {2,3,4} and at once removes 1, committing {2,3,4} with 3;
    /// then 1 is elected in term 3 by {1,2,5}, a majority of its {1,2,3,4,5}, and overwrites what 4
    /// committed. The rule (a leader changes the membership only after committing an entry of its
    /// term) stops it: 4's no-op of term 2 reaches 2, and 2 no longer votes for 1.
    /// Returns whether an entry 4 committed was lost (a different entry committed at its index).
    private func publishedBugCase(bugSwitch: Bool) throws -> Bool {
        let net = Network(4, seed: 11) { c in
            c.checkQuorum = false
            c.bug = bugSwitch ? .changeBeforeCommit : nil
        }
        net.addNode(5) { c in
            c.checkQuorum = false
            c.bug = bugSwitch ? .changeBeforeCommit : nil
        }
        #expect(net.elect(1))
        net.tick(1, times: 2)
        net.deliverAll()
        // 1 adds 5; only 5 gets the entry.
        for p: NodeID in [2, 3, 4] { net.block(1, p) }
        let cu = try net.change(1, .addVoter(5))
        net.deliverAll()
        #expect(net[5].membership.voters == [1, 2, 3, 4, 5])
        #expect(net[1].log.committed < cu)
        net.crash(1)
        // 4 is elected by 2, 3 and itself; its appends do not reach 2.
        let appendsTo2 = { (m: Message) in m.from == 4 && m.to == 2 && (m.kind == .append || m.kind == .heartbeat) }
        net.drop = appendsTo2
        for _ in 0..<10 where net[4].role != .leader {
            net.tickUntilCampaign(4)
            net.deliverAll()
        }
        #expect(net[4].role == .leader)
        #expect(!net[4].committedInCurrentTerm)
        var committedBy4: Entry?
        do {
            // 4 removes 1 at once; only 3 gets it, which is a majority of {2,3,4}.
            let at = try net.change(4, .remove(1))
            #expect(bugSwitch)
            net.deliverAll()
            #expect(net[4].log.committed == at)
            committedBy4 = net[4].log.entry(at: at)
        } catch {
            #expect(!bugSwitch)
            #expect("\(error)".contains("has not committed an entry of its term"))
            // The rule: 4 first commits its no-op with 2, 3 and itself, then removes 1, reaching only 3.
            net.drop = nil
            net.tick(4, times: 2)
            net.deliverAll()
            #expect(net[4].committedInCurrentTerm)
            net.drop = appendsTo2
            let at = try net.change(4, .remove(1))
            net.deliverAll()
            #expect(net[4].log.committed == at)
            committedBy4 = net[4].log.entry(at: at)
        }
        let lost = try #require(committedBy4)
        // 4 crashes; 1 comes back and campaigns among 2 and 5 (3 cannot hear it).
        net.crash(4)
        net.heal()
        net.block(1, 3)
        net.block(3, 1)
        net.restart(1)
        for _ in 0..<10 where net[1].role != .leader {
            net.tickUntilCampaign(1)
            net.deliverAll()
        }
        if bugSwitch { #expect(net[1].role == .leader, "1 did not win: \(net[1].status)") }
        guard net[1].role == .leader else { return false }
        for _ in 0..<3 {
            net.tick(1, times: 2)
            net.deliverAll()
        }
        if bugSwitch {
            #expect(net[1].log.committed >= lost.index, "1: \(net[1].status), lost \(lost)")
        }
        return net[1].log.committed >= lost.index && net[1].log.entry(at: lost.index) != lost
    }

    @Test func thePublishedSingleServerChangeBugIsPreventedByTheCommitRule() throws {
        #expect(try publishedBugCase(bugSwitch: false) == false)
    }

    @Test func withoutTheRuleThePublishedBugLosesACommittedEntry() throws {
        // The known-bug switch re-enables the bug: the same script then loses an entry 4 committed,
        // which shows the test above can fail.
        #expect(try publishedBugCase(bugSwitch: true) == true)
    }
}
