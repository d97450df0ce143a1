import Testing
@testable import RaftCore

/// The known-bug switches (`RaftConfig.bug`): each changes exactly the behaviour it names, and the
/// same situation without it shows the correct behaviour.
@Suite struct KnownBugTests {
    /// S1 holds (2, term 1), which S2 and S3 lack; S1 is elected for term 2.
    private func oldEntryOnTheLeader(_ bug: KnownBug?) -> Network {
        let storage: [NodeID: PersistentState] = [
            1: PersistentState(hardState: HardState(term: 1, vote: 1, commit: 1), entries: makeLog([1, 1])),
            2: PersistentState(hardState: HardState(term: 1, vote: 1, commit: 1), entries: makeLog([1])),
            3: PersistentState(hardState: HardState(term: 1, vote: 1, commit: 1), entries: makeLog([1])),
        ]
        let net = Network(3, seed: 5, storage: storage) { $0.bug = bug }
        #expect(net.elect(1))
        return net
    }

    @Test func commitOldTermCommitsAnEarlierTermsEntryByCountingAndAppendsNoNoop() {
        let buggy = oldEntryOnTheLeader(.commitOldTerm)
        #expect(buggy.logTerms(1) == [1, 1], "no no-op of term 2")
        #expect(buggy[1].log.committed == 2, "(2, term 1) committed by counting replicas in term 2")
        let correct = oldEntryOnTheLeader(nil)
        #expect(correct.logTerms(1) == [1, 1, 2])
        #expect(correct[1].log.committed == 3, "committed through the no-op of term 2")
    }

    @Test func noVoteCheckElectsACandidateWithAStaleLog() {
        let storage: [NodeID: PersistentState] = [
            1: PersistentState(hardState: HardState(term: 2, vote: 1, commit: 2), entries: makeLog([1, 2])),
            2: PersistentState(hardState: HardState(term: 2, vote: 1, commit: 2), entries: makeLog([1, 2])),
            3: PersistentState(hardState: HardState(term: 2, vote: 1, commit: 1), entries: makeLog([1])),
        ]
        let buggy = Network(3, storage: storage) { $0.bug = .noVoteCheck }
        #expect(buggy.elect(3), "a stale log wins the votes")
        let correct = Network(3, storage: storage)
        #expect(!correct.elect(3))
    }

    @Test func ackBeforeSyncHandsOutEntriesWithoutASync() throws {
        for bug in [nil, KnownBug.ackBeforeSync] {
            let net = Network(3, seed: 2) { $0.bug = bug }
            #expect(net.elect(1))
            try net.propose(1, "x")
            let leaderReady = net.lastReady(1)!
            #expect(!leaderReady.entries.isEmpty)
            #expect(leaderReady.mustSync == (bug == nil))
            net.deliverAll()
            let followerReady = net.readies[2]!.last { !$0.entries.isEmpty }!
            #expect(followerReady.mustSync == (bug == nil), "the follower acknowledges before syncing")
        }
    }

    @Test func voteTwiceGrantsAVoteWithoutASync() {
        for bug in [nil, KnownBug.voteTwice] {
            let net = Network(3, seed: 3) { $0.bug = bug }
            net.tickUntilCampaign(1)
            net.deliverAll()
            let granted = net.readies[2]!.first { $0.hardState?.vote == 1 }!
            #expect(granted.entries.isEmpty)
            #expect(granted.mustSync == (bug == nil), "the vote goes out before it is on disk")
        }
    }

    @Test func noTruncateKeepsAConflictingEntry() {
        let storage: [NodeID: PersistentState] = [
            1: PersistentState(hardState: HardState(term: 3, vote: 1, commit: 1), entries: makeLog([1, 3])),
            2: PersistentState(hardState: HardState(term: 3, vote: 1, commit: 1), entries: makeLog([1, 2])),
            3: PersistentState(hardState: HardState(term: 3, vote: 1, commit: 1), entries: makeLog([1, 3])),
        ]
        let buggy = Network(3, seed: 4, storage: storage) { $0.bug = .noTruncate }
        #expect(buggy.elect(1))
        #expect(buggy.logTerms(1) == [1, 3, 4])
        #expect(buggy.logTerms(2) == [1, 2, 4], "entry 2 of term 2 kept under the leader's entries")
        let correct = Network(3, seed: 4, storage: storage)
        #expect(correct.elect(1))
        #expect(correct.logTerms(2) == [1, 3, 4])
    }

    @Test func everySwitchHasANameAndASummary() {
        #expect(Set(KnownBug.allCases.map(\.name)).count == KnownBug.allCases.count)
        #expect(KnownBug.allCases.count == 8)
        for b in KnownBug.allCases { #expect(!b.summary.isEmpty) }
        #expect(RaftConfig(id: 1, voters: [1]).bug == nil, "off by default")
    }
}
