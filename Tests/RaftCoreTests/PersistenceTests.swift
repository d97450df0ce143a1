import Testing
@testable import RaftCore

/// What a node must persist, and when: entries and votes before the answers that rely on them.
@Suite struct PersistenceTests {
    @Test func aFollowersAppendAnswerTravelsInTheReadyThatCarriesTheEntries() throws {
        let net = Network(3, seed: 31)
        #expect(net.elect(1))
        try net.propose(1, "x")
        let append = try #require(net.deliverFirst { $0.kind == .append && $0.to == 2 })
        #expect(append.entries.map(\.index) == [2])
        let rd = try #require(net.lastReady(2))
        #expect(rd.entries == append.entries)
        #expect(rd.mustSync)
        #expect(rd.messages == [Message(kind: .appendResponse, from: 2, to: 1, term: 1, index: 2)])
        // Exactly one Ready was produced for that delivery: the answer could not have gone out earlier.
        #expect(net.storage[2]!.entries.map(\.index) == [1, 2])
        #expect(net.durabilityViolations.isEmpty)
    }

    @Test func aCommitOnlyChangeIsPersistedWithoutForcingASync() throws {
        let net = Network(3, seed: 32)
        #expect(net.elect(1))
        // Node 2 does not hear of the new commit index from the append that follows the commit...
        net.drop = { $0.kind == .append && $0.to == 2 && $0.entries.isEmpty }
        try net.propose(1, "x")
        net.deliverAll()
        #expect(net[1].log.committed == 2)
        #expect(net[2].log.committed == 1)
        // ...but from the next heartbeat.
        net.tick(1, times: 2)
        net.deliverFirst { $0.kind == .heartbeat && $0.to == 2 }
        let rd = try #require(net.lastReady(2))
        #expect(rd.hardState == HardState(term: 1, vote: 1, commit: 2))
        #expect(rd.entries.isEmpty)
        #expect(rd.mustSync == false)
        #expect(rd.committedEntries.map(\.index) == [2])
        #expect(net.storage[2]!.hardState.commit == 2)
    }

    @Test func aRestartedNodeKeepsTermVoteLogAndCommit() throws {
        let net = Network(3, seed: 33)
        #expect(net.elect(1))
        for w in ["a", "b", "c"] { try net.propose(1, w) }
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        let before = (term: net[2].term, vote: net[2].vote, log: net[2].log.entries, commit: net[2].log.committed)
        #expect(before.term == 1 && before.vote == 1 && before.commit == 4)
        #expect(net.storage[2]!.persistent == PersistentState(hardState: HardState(term: 1, vote: 1, commit: 4),
                                                              entries: before.log))
        net.crash(2)
        net.restart(2)
        let n = net[2]
        #expect(n.term == before.term)
        #expect(n.vote == before.vote)
        #expect(n.log.entries == before.log)
        #expect(n.log.committed == before.commit)
        #expect(n.log.stabled == 4)
        #expect(n.role == .follower)
        #expect(n.leader == noNode)
        // The restarted node hands its committed entries out again for the state machine to rebuild.
        #expect(net.applied[2]!.map(\.index) == [1, 2, 3, 4, 1, 2, 3, 4])

        // The leader restarts as a follower of the same term, with its vote for itself intact.
        net.crash(1)
        net.restart(1)
        #expect(net[1].role == .follower)
        #expect(net[1].term == 1)
        #expect(net[1].vote == 1)
        #expect(net[1].log.entries == before.log)
    }

    @Test func aRestartedNodeRejoinsAndCatchesUp() throws {
        let net = Network(3, seed: 34)
        #expect(net.elect(1))
        net.crash(3)
        for w in ["a", "b"] { try net.propose(1, w) }
        net.deliverAll()
        #expect(net[1].log.committed == 3)
        net.restart(3)
        for _ in 0..<3 { net.tickAll(); net.deliverAll() }
        #expect(net[3].log.entries == net[1].log.entries)
        #expect(net.leaders.map(\.id) == [1])
        #expect(net.durabilityViolations.isEmpty)
    }

    @Test func storedLogsMustBeContiguousFromIndexOne() {
        let c = testConfig(id: 1, voters: [1, 2, 3])
        let gap = PersistentState(entries: [Entry(term: 1, index: 1), Entry(term: 1, index: 3)])
        #expect(throws: RaftError.invalidConfig("stored log has a gap at index 3")) {
            _ = try RaftNode(config: c, storage: gap, random: SplitMix64(seed: 0))
        }
        let late = PersistentState(entries: [Entry(term: 1, index: 2)])
        #expect(throws: RaftError.invalidConfig("stored log starts at index 2, expected 1")) {
            _ = try RaftNode(config: c, storage: late, random: SplitMix64(seed: 0))
        }
    }
}
