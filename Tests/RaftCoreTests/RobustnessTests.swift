import Testing
@testable import RaftCore

/// Bad input is dropped and counted, never fatal; random faults never break safety.
@Suite struct RobustnessTests {
    @Test func messagesFromNobodyOrForOthersAreDroppedAndCounted() throws {
        // A sender outside the configuration is heard (a leader a joining node does not know yet, a
        // new voter asking for votes); answers from non-members count for nothing (MembershipTests).
        let net = Network(3, seed: 61)
        #expect(net.elect(1))
        let n = net[2]
        let before = n.status
        n.step(Message(kind: .heartbeat, from: 9, to: 4, term: 7))             // addressed to a non-member
        n.step(Message(kind: .heartbeat, from: 1, to: 3, term: 7))             // addressed to node 3
        n.step(Message(kind: .vote, from: 2, to: 2, term: 7))                  // from itself
        n.step(Message(kind: .append, from: noNode, to: 2, term: 7, entries: [Entry(term: 7, index: 2)]))
        #expect(n.stats.droppedUnknownSender == 4)
        #expect(n.status == before)
        #expect(!n.hasReady)
    }

    @Test func staleTermMessagesAreDroppedAndCounted() throws {
        let state = PersistentState(hardState: HardState(term: 3, vote: noNode, commit: 1), entries: makeLog([1, 3]))
        let net = Network(3, storage: [2: state])
        let n = net[2]
        n.step(Message(kind: .voteResponse, from: 1, to: 2, term: 2))
        n.step(Message(kind: .appendResponse, from: 1, to: 2, term: 1, index: 2))
        n.step(Message(kind: .heartbeatResponse, from: 3, to: 2, term: 2, context: 5))
        n.step(Message(kind: .vote, from: 3, to: 2, term: 2, logTerm: 9, index: 9))
        n.step(Message(kind: .preVoteResponse, from: 3, to: 2, term: 2))
        #expect(n.stats.droppedStaleTerm == 5)
        #expect(n.term == 3)
        #expect(n.vote == noNode)
        #expect(!n.hasReady)

        // A stale pre-vote is refused with our term; a stale leader is told our term so that it steps down.
        n.step(Message(kind: .preVote, from: 3, to: 2, term: 2, logTerm: 9, index: 9))
        n.step(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 1, entries: [Entry(term: 2, index: 2)]))
        let rd = n.ready()
        #expect(rd.messages == [
            Message(kind: .preVoteResponse, from: 2, to: 3, term: 3, reject: true),
            Message(kind: .appendResponse, from: 2, to: 1, term: 3),
        ])
        #expect(rd.entries.isEmpty)
        #expect(n.logTermsForTest == [1, 3])
        n.advance(rd)
    }

    @Test func withoutPreVoteAndCheckQuorumAStaleAppendIsSimplyDropped() {
        let state = PersistentState(hardState: HardState(term: 3, vote: noNode, commit: 1), entries: makeLog([1, 3]))
        let net = Network(3, storage: [2: state]) { $0.preVote = false; $0.checkQuorum = false }
        net[2].step(Message(kind: .append, from: 1, to: 2, term: 2, logTerm: 1, index: 1))
        #expect(net[2].stats.droppedStaleTerm == 1)
        #expect(!net[2].hasReady)
    }

    @Test func anAppendAnswerClaimingAnIndexBeyondTheLeadersLogIsDropped() throws {
        let net = Network(3, seed: 62)
        #expect(net.elect(1))
        let match = net[1].progress[2]!.match
        let unexpected = net[1].stats.droppedUnexpected
        net.inject(Message(kind: .appendResponse, from: 2, to: 1, term: 1, index: 1_000))
        #expect(net[1].stats.droppedUnexpected == unexpected + 1)
        #expect(net[1].progress[2]!.match == match)
        #expect(net[1].log.committed == 1)
        // Replication to node 2 goes on as before.
        try net.propose(1, "x")
        net.deliverAll()
        #expect(net[2].log.entries == net[1].log.entries)
    }

    @Test func aRejectionClaimingAnIndexBeyondTheLeadersLogDoesNotStallTheFollower() throws {
        let net = Network(3, seed: 63)
        #expect(net.elect(1))
        #expect(net[1].progress[2]!.state == .replicate)
        let unexpected = net[1].stats.droppedUnexpected
        net.inject(Message(kind: .appendResponse, from: 2, to: 1, term: 1, logTerm: 0, index: 1_000,
                           reject: true, rejectHint: 1_000))
        #expect(net[1].stats.droppedUnexpected == unexpected + 1)
        #expect(net[1].progress[2]!.state == .replicate)
        net.deliverAll()
        try net.propose(1, "x")
        net.deliverAll()
        net.tick(1, times: 2)
        net.deliverAll()
        #expect(net[2].log.entries == net[1].log.entries)
        #expect(net[2].log.committed == 2)
    }

    @Test func aMalformedAppendIsDroppedAndCountedNotFatal() throws {
        let net = Network(3, seed: 64)
        #expect(net.elect(1))
        let n = net[2]
        #expect(n.log.lastIndex == 1)
        // Entries that do not follow prevLogIndex (a gap), or are out of order, or go back before it.
        n.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 1, entries: [Entry(term: 1, index: 5)]))
        n.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 1,
                       entries: [Entry(term: 1, index: 2), Entry(term: 1, index: 4)]))
        n.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 1, entries: [Entry(term: 1, index: 1)]))
        // An entry of a term later than the message's own.
        n.step(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 1, entries: [Entry(term: 2, index: 2)]))
        // Indexes that would wrap around, in a message of a higher term: dropped before the term is adopted.
        n.step(Message(kind: .append, from: 1, to: 2, term: 9, logTerm: 1, index: .max, entries: [Entry(term: 9, index: 0)]))
        #expect(n.stats.droppedUnexpected == 5)
        #expect(n.log.lastIndex == 1)
        #expect(n.term == 1)
        net.settle(2)
        #expect(net.inFlight.isEmpty)
        // The node still works.
        try net.propose(1, "x")
        net.deliverAll()
        #expect(n.log.lastIndex == 2)
    }

    @Test func aHeartbeatClaimingAHugeCommitOnlyCommitsWhatTheFollowerHas() {
        let net = Network(3, seed: 65)
        #expect(net.elect(1))
        net.inject(Message(kind: .heartbeat, from: 1, to: 2, term: 1, commit: 1_000))
        #expect(net[2].log.committed == 1)
        net.inject(Message(kind: .append, from: 1, to: 2, term: 1, logTerm: 1, index: 1, commit: .max))
        #expect(net[2].log.committed == 1)
    }

    @Test func answersNobodyAskedForAreCountedAndIgnored() throws {
        let net = Network(3, seed: 66)
        #expect(net.elect(1))
        let before = net[2].status
        net[2].step(Message(kind: .voteResponse, from: 3, to: 2, term: 1))
        net[2].step(Message(kind: .appendResponse, from: 3, to: 2, term: 1, index: 1))
        net[2].step(Message(kind: .heartbeatResponse, from: 1, to: 2, term: 1))
        #expect(net[2].stats.droppedUnexpected == 3)
        #expect(net[2].status == before)
        #expect(!net[2].hasReady)
    }

    @Test func duplicatedMessagesChangeNothing() throws {
        let net = Network(3, seed: 67)
        #expect(net.elect(1))
        try net.propose(1, "x")
        // Deliver every message twice.
        var count = 0
        while !net.inFlight.isEmpty && count < 1_000 {
            net.deliver(at: 0, duplicate: true)
            net.deliverNext()
            count += 1
        }
        net.tick(1, times: 2)
        net.deliverAll()
        for id in net.ids {
            #expect(net[id].log.entries == net[1].log.entries)
            #expect(net.applied[id]!.map(\.index) == [1, 2])
        }
        #expect(net.durabilityViolations.isEmpty)
    }

    @Test func theSameSeedGivesTheSameRunMessageForMessage() throws {
        // The harness generator is the reference SplitMix64.
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)

        func run(_ seed: UInt64) throws -> [Message] {
            let net = Network(5, seed: seed)
            for round in 0..<400 {
                net.tickAll()
                if round % 40 == 0, let l = net.leaders.first { try net.propose(l.id, "w\(round)") }
                if round == 150, let l = net.leaders.first { net.crash(l.id) }
                if round == 250 { for id in net.down.sorted() { net.restart(id) } }
                net.deliverAll()
            }
            return net.sent
        }
        let a = try run(9), b = try run(9), c = try run(10)
        #expect(a.count > 100)
        #expect(a == b)
        #expect(a != c)
    }

    /// Random delivery order, loss, duplication, crashes and restarts, ticks and writes; the Raft safety
    /// properties are checked after every step, and the cluster converges once the faults stop.
    @Test(arguments: UInt64(0)..<16)
    func randomFaultsNeverBreakSafety(seed: UInt64) throws {
        try runRandomFaults(seed: seed, changes: false)
    }

    /// The same with membership changes (nodes 6 and 7 start empty and may join; members are added
    /// as learners or voters, promoted and removed, keeping 3 to 5 voters) and leadership transfers
    /// among the faults.
    @Test(arguments: UInt64(100)..<116)
    func randomFaultsWithMembershipChangesAndTransfersNeverBreakSafety(seed: UInt64) throws {
        try runRandomFaults(seed: seed, changes: true)
    }

    /// The seeds above do change the membership: at least 12 of the 16 make a change.
    @Test func mostRandomFaultSeedsChangeTheMembership() throws {
        var seedsWithChanges = 0
        for seed in UInt64(100)..<116 where try runRandomFaults(seed: seed, changes: true) > 0 { seedsWithChanges += 1 }
        #expect(seedsWithChanges >= 12, "only \(seedsWithChanges) of 16 seeds changed the membership")
    }

    @discardableResult
    private func runRandomFaults(seed: UInt64, changes: Bool) throws -> Int {
        var rng = SplitMix64(seed: seed &+ 0xC0FFEE)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let net = Network(5, seed: seed) { $0.maxInflight = 3; $0.maxMessageBytes = 120 }
        if changes {
            for id: NodeID in [6, 7] { net.addNode(id) { $0.maxInflight = 3; $0.maxMessageBytes = 120 } }
        }
        var changesMade = 0, changesRefused = 0, transfers = 0
        var leaderOfTerm: [Term: NodeID] = [:]
        var committed: [LogIndex: (entry: Entry, seenInTerm: Term)] = [:]
        var checkedApplied: [NodeID: Int] = [:]
        var lastCommit: [NodeID: LogIndex] = [:]
        var writes = 0
        // ReadIndex safety: a read must reflect every entry known committed when it was asked.
        var readFloor: [ReadContext: LogIndex] = [:]
        var checkedReads: [NodeID: Int] = [:]

        func checkSafety(_ step: Int) {
            let maxTerm = net.ids.compactMap { net.nodes[$0]?.term }.max() ?? 0
            for id in net.ids {
                guard let n = net.nodes[id] else { continue }
                if n.role == .leader {
                    if let other = leaderOfTerm[n.term], other != id {
                        Issue.record("seed \(seed) step \(step): two leaders in term \(n.term): \(other), \(id)")
                    }
                    leaderOfTerm[n.term] = id
                    // Leader completeness: a leader of a later term holds every committed entry.
                    for (index, c) in committed where n.term > c.seenInTerm && n.log.entry(at: index) != c.entry {
                        Issue.record("seed \(seed) step \(step): leader \(id) t\(n.term) lacks committed \(index)")
                    }
                }
                if n.log.committed < lastCommit[id, default: 0] {
                    Issue.record("seed \(seed) step \(step): node \(id) commit went back")
                }
                lastCommit[id] = n.log.committed
            }
            // State machine safety: nobody applies a different entry at an index.
            for id in net.ids {
                let applied = net.applied[id]!
                for e in applied[checkedApplied[id, default: 0]...] {
                    if let c = committed[e.index] {
                        if c.entry != e { Issue.record("seed \(seed) step \(step): node \(id) applied a different \(e.index)") }
                    } else {
                        committed[e.index] = (e, maxTerm)
                    }
                }
                checkedApplied[id] = applied.count
            }
            for id in net.ids {
                let states = net.readStates[id]!
                for r in states[checkedReads[id, default: 0]...] where r.index < readFloor[r.context, default: 0] {
                    Issue.record("seed \(seed) step \(step): read \(r.context) at \(r.index) misses committed \(readFloor[r.context]!)")
                }
                checkedReads[id] = states.count
            }
        }

        func checkLogMatching() {
            let up = net.ids.compactMap { net.nodes[$0] }
            for a in up {
                for b in up where a.id < b.id {
                    let top = min(a.log.lastIndex, b.log.lastIndex)
                    guard top > 0 else { continue }
                    // Find the highest index where both hold the same term: everything before must agree.
                    var i = top
                    while i > 0 && a.log.term(at: i) != b.log.term(at: i) { i -= 1 }
                    if i > 0 && Array(a.log.slice(1, i)) != Array(b.log.slice(1, i)) {
                        Issue.record("seed \(seed): log matching violated between \(a.id) and \(b.id) at \(i)")
                    }
                }
            }
        }

        for step in 0..<4_000 {
            let roll = pick(100)
            switch roll {
            case 0..<45 where !net.inFlight.isEmpty:
                let i = pick(net.inFlight.count)
                let fate = pick(100)
                if fate < 10 { net.lose(at: i) } else { net.deliver(at: i, duplicate: fate < 15) }
            case 0..<75:
                let id = net.ids[pick(net.ids.count)]
                if !net.down.contains(id) { net.tick(id) }
            case 75..<85:
                for (id, _) in net.leaders where pick(2) == 0 {
                    writes += 1
                    _ = try? net.propose(id, "w\(writes)")
                }
            case 85..<88:
                readFloor[ReadContext(step + 1)] = committed.keys.max() ?? 0
                for (id, _) in net.leaders { try? net[id].readIndex(ReadContext(step + 1)); net.settle(id) }
            case 88..<90 where net.down.count < 2:
                net.crash(net.ids[pick(net.ids.count)])
            case 90..<93 where !net.down.isEmpty:
                net.restart(net.down.sorted()[pick(net.down.count)])
            case 93..<96 where changes:
                guard let l = net.leaders.first else { break }
                let m = net[l.id].membership
                let id = net.ids[pick(net.ids.count)]
                let change: ConfigChange
                if m.voters.contains(id) {
                    guard m.voters.count > 3 else { break }
                    change = .remove(id)
                } else if m.learners.contains(id) {
                    change = pick(2) == 0 ? .remove(id) : .addVoter(id)
                } else {
                    change = pick(2) == 0 ? .addLearner(id) : .addVoter(id)
                }
                if case .addVoter = change, m.voters.count >= 5 { break }
                do { try net.change(l.id, change); changesMade += 1 } catch { changesRefused += 1 }
            case 96..<98 where changes:
                guard let l = net.leaders.first else { break }
                let voters = net[l.id].membership.voters.filter { $0 != l.id }
                guard !voters.isEmpty else { break }
                if (try? net[l.id].transferLeadership(to: voters[pick(voters.count)])) != nil { transfers += 1 }
                net.settle(l.id)
            default:
                break
            }
            checkSafety(step)
            if step % 200 == 0 { checkLogMatching() }
        }
        checkLogMatching()
        #expect(net.durabilityViolations.isEmpty)

        // The faults stop: everyone restarts, the network is reliable, and the cluster converges.
        for id in net.down.sorted() { net.restart(id) }
        net.heal()
        var rounds = 0
        func converged() -> Bool {
            guard net.leaders.count == 1 else { return false }
            let l = net[net.leaders[0].id]
            // Every member of the leader's configuration holds its log (a removed node may not).
            let members = changes ? l.membership.members : net.ids
            return members.allSatisfy { net[$0].log.entries == l.log.entries && net[$0].log.committed == l.log.lastIndex }
        }
        while !converged() && rounds < 2_000 {
            net.tickAll()
            net.deliverAll()
            checkSafety(4_000 + rounds)
            rounds += 1
        }
        #expect(converged(), "seed \(seed) did not converge")
        checkLogMatching()
        // Something was actually committed along the way.
        #expect(committed.count > 3, "seed \(seed): only \(committed.count) entries committed")
        #expect(net.readStates.values.contains { !$0.isEmpty }, "seed \(seed): no read was served")
        // Every seed tries changes (a leader refuses one while a transfer or an earlier change is
        // pending, or before it commits an entry of its term); most make some (checked below).
        if changes {
            #expect(changesMade + changesRefused > 0 && transfers > 0,
                    "seed \(seed): \(changesMade) changes, \(changesRefused) refused, \(transfers) transfers")
        }
        return changesMade
    }
}

extension RaftNode {
    var logTermsForTest: [Term] { log.entries.map(\.term) }
}
