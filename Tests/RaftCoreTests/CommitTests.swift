import Testing
@testable import RaftCore

/// Commitment, §5.4.2 and Figure 8: a leader counts replicas only for entries of its own term.
@Suite struct CommitTests {
    private static let e1 = makeLog([1])[0]
    private static let e2 = makeLog([1, 2])[1]  // (index 2, term 2), written by S1 in term 2

    /// Figure 8 (c): S1 crashed in term 2 after replicating (2, term 2) to S2; S5 led term 3 and wrote (2, term 3)
    /// only to itself; now S5 is down and S1 is elected for term 4. S1 appends its no-op at index 3 and
    /// replicates (2, term 2) to S3 and S4, learning from their answers that it sits on a majority, but the
    /// no-op reaches nobody.
    private func figure8c() throws -> Network {
        let storage: [NodeID: PersistentState] = [
            // S1 refused S5's vote request in term 3 (its own log was more up to date) and so knows term 3.
            1: PersistentState(hardState: HardState(term: 3, vote: noNode, commit: 1), entries: makeLog([1, 2])),
            2: PersistentState(hardState: HardState(term: 2, vote: 1, commit: 1), entries: makeLog([1, 2])),
            3: PersistentState(hardState: HardState(term: 3, vote: 5, commit: 1), entries: makeLog([1])),
            4: PersistentState(hardState: HardState(term: 3, vote: 5, commit: 1), entries: makeLog([1])),
            5: PersistentState(hardState: HardState(term: 3, vote: 5, commit: 1), entries: makeLog([1, 3])),
        ]
        // One entry per append (28-byte entries, 30-byte cap), so entries 2 and 3 travel separately.
        let net = Network(5, seed: 88, storage: storage) { $0.checkQuorum = false; $0.maxMessageBytes = 30 }
        net.crash(5)
        // Appends that would put index 3 on a follower are lost.
        net.drop = { [unowned net] m in
            guard m.kind == .append, let receiver = net.nodes[m.to] else { return false }
            return m.entries.contains { $0.index == 3 } && receiver.log.matchTerm(m.index, m.logTerm)
        }
        #expect(net.elect(1))
        #expect(net[1].term == 4)
        #expect(net.logTerms(1) == [1, 2, 4])
        #expect(net.logTerms(2) == [1, 2])
        #expect(net.logTerms(3) == [1, 2])
        #expect(net.logTerms(4) == [1, 2])
        return net
    }

    @Test func figure8ALeaderDoesNotCommitAnOldTermEntryByCountingReplicas() throws {
        let net = try figure8c()
        // (2, term 2) is on every live node; the leader knows it of itself, S3 and S4: a majority of five...
        #expect(net[1].progress[1]!.match == 3)
        #expect(net[1].progress[3]!.match == 2)
        #expect(net[1].progress[4]!.match == 2)
        // ...but it is of an earlier term, and no entry of term 4 is on a majority: nothing new commits,
        // however many heartbeat rounds go by.
        for _ in 0..<5 { net.tick(1, times: 2); net.deliverAll() }
        #expect(net[1].log.committed == 1)
        for id: NodeID in [1, 2, 3, 4] {
            #expect(net[id].log.committed == 1)
            #expect(net.applied[id]! == [Self.e1])
        }
    }

    @Test func figure8DAnEntryOnAMajorityButUncommittedCanBeOverwritten() throws {
        let net = try figure8c()
        // (d): S1 crashes; S5 restarts and, with its last term 3, is more up to date than S2, S3 and S4.
        net.crash(1)
        net.drop = nil
        net.restart(5)
        var ticks = 0
        while net[5].role != .leader && ticks < 500 { net.tick(5); net.deliverAll(); ticks += 1 }
        #expect(net[5].role == .leader)
        #expect(net[5].term == 5)
        net.tick(5, times: 2)
        net.deliverAll()
        // S5 overwrote (2, term 2) with its own (2, term 3) on every live node.
        for id: NodeID in [2, 3, 4, 5] {
            #expect(net.logTerms(id) == [1, 3, 5])
            #expect(net[id].log.committed == 3)
        }
        // This was safe only because S1 never committed (2, term 2): nobody ever applied it.
        for id in net.ids {
            #expect(!net.applied[id]!.contains(Self.e2))
        }
    }

    @Test func figure8EOnceAnEntryOfItsTermIsOnAMajorityTheOldEntryCommitsWithIt() throws {
        let net = try figure8c()
        net.drop = nil
        net.tick(1, times: 2)  // heartbeats; the answers make the leader resend the no-op
        while net.deliverNext() != nil {
            let onMajority = [NodeID(1), 2, 3, 4].filter { net[$0].log.lastIndex >= 3 }.count >= 3
            if !onMajority {
                #expect(net[1].log.committed == 1, "committed before the no-op reached a majority")
            }
        }
        for id: NodeID in [2, 3, 4] { #expect(net.logTerms(id) == [1, 2, 4]) }
        #expect(net[1].log.committed == 3)
        // Index 2 (term 2) and index 3 (term 4) were handed out together.
        let commits = net.readies[1]!.map(\.committedEntries).filter { !$0.isEmpty }
        #expect(commits.last == [Self.e2, Entry(term: 4, index: 3, kind: .noop)])
        #expect(net.applied[1]! == [Self.e1, Self.e2, Entry(term: 4, index: 3, kind: .noop)])

        // Now S5 can never win: its log (last term 3) is behind everyone else's (last term 4).
        net.crash(1)
        net.drop = nil
        net.restart(5)
        for _ in 0..<300 { net.tick(5); net.deliverAll() }
        #expect(net[5].role != .leader)
        #expect(net.logTerms(2) == [1, 2, 4])
        #expect(net.logTerms(3) == [1, 2, 4])
    }

    @Test func aSingleNodeLeaderCountsItsOwnEntryOnlyOnceStable() throws {
        let n = try RaftNode(config: testConfig(id: 1, voters: [1]), random: SplitMix64(seed: 1))
        var ticks = 0
        while n.role != .leader && ticks < 100 { n.tick(); ticks += 1 }
        #expect(n.role == .leader)
        #expect(n.term == 1)
        var rd = n.ready()
        let noop = Entry(term: 1, index: 1, kind: .noop)
        #expect(rd.entries == [noop])
        #expect(rd.mustSync)
        #expect(rd.committedEntries.isEmpty)
        #expect(n.log.committed == 0)
        n.advance(rd)
        #expect(n.log.committed == 1)
        rd = n.ready()
        #expect(rd.entries.isEmpty)
        #expect(rd.committedEntries == [noop])
        #expect(rd.hardState == HardState(term: 1, vote: 1, commit: 1))
        #expect(rd.mustSync == false)  // only the commit index changed
        n.advance(rd)
        #expect(n.log.applied == 1)

        let (index, term) = try n.propose(Array("x".utf8))
        #expect(index == 2 && term == 1)
        rd = n.ready()
        #expect(rd.entries.map(\.index) == [2])
        #expect(rd.committedEntries.isEmpty)
        #expect(n.log.committed == 1)
        n.advance(rd)
        #expect(n.log.committed == 2)
        #expect(n.hasReady)
        #expect(n.ready().committedEntries.map(\.index) == [2])
    }

    @Test func aLeaderCountsItselfOnlyAfterAdvance() throws {
        let net = Network(5, seed: 21)
        #expect(net.elect(1))
        #expect(net[1].log.committed == 1)
        try net[1].propose(Array("x".utf8))
        let rd = net.beginReady(1)  // persisted and sent, not yet acknowledged with advance
        #expect(rd.entries.map(\.index) == [2])
        #expect(rd.messages.filter { $0.kind == .append }.count == 4)
        for p: NodeID in [2, 3] {
            net.deliverFirst { $0.kind == .append && $0.to == p }
            net.deliverFirst(settle: false) { $0.kind == .appendResponse && $0.from == p }
        }
        // Two followers of five hold entry 2; the leader's copy does not count until advance.
        #expect(net[1].progress[2]!.match == 2)
        #expect(net[1].progress[3]!.match == 2)
        #expect(net[1].log.committed == 1)
        net.finishReady(1, rd)
        #expect(net[1].log.committed == 2)
        #expect(net.applied[1]!.map(\.index) == [1, 2])
    }

    @Test func theLeaderCapsTheCommitItSendsInHeartbeatsAtEachFollowersMatch() throws {
        let net = Network(3, seed: 22)
        #expect(net.elect(1))
        net.drop = { $0.kind == .append && $0.to == 3 }
        try net.propose(1, "a")
        try net.propose(1, "b")
        net.deliverAll()
        #expect(net[1].log.committed == 3)
        #expect(net[1].progress[3]!.match == 1)
        net.tick(1, times: 2)
        let heartbeats = net.inFlight.filter { $0.kind == .heartbeat }
        #expect(heartbeats.map(\.to) == [2, 3])
        #expect(heartbeats.map(\.commit) == [3, 1])
    }
}
