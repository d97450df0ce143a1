import Testing
@testable import RaftCore

/// Leader election, §5.2 and the vote restriction of §5.4.1.
@Suite struct ElectionTests {
    @Test func followerTimesOutWithinTheRandomizedRangeAndStartsAPreVote() {
        var seen: Set<Int> = []
        for seed in UInt64(0)..<300 {
            let net = Network(3, seed: seed)
            let ticks = net.tickUntilCampaign(1)
            #expect((10...20).contains(ticks), "seed \(seed): timed out after \(ticks) ticks")
            seen.insert(ticks)
            let n = net[1]
            #expect(n.role == .preCandidate)
            // A pre-vote changes neither term nor vote, so nothing needs syncing.
            #expect(n.term == 0)
            #expect(n.vote == noNode)
            let rd = net.lastReady(1)!
            #expect(rd.hardState == nil)
            #expect(rd.mustSync == false)
            #expect(rd.softState == SoftState(leader: noNode, role: .preCandidate))
            #expect(rd.messages == [
                Message(kind: .preVote, from: 1, to: 2, term: 1, logTerm: 0, index: 0),
                Message(kind: .preVote, from: 1, to: 3, term: 1, logTerm: 0, index: 0),
            ])
        }
        // Randomized: every value of the inclusive range occurs, and nothing else.
        #expect(seen == Set(10...20))
    }

    @Test func withoutPreVoteATimeoutStartsAnElectionInTheNextTerm() {
        let net = Network(3) { $0.preVote = false }
        net.tickUntilCampaign(2)
        let n = net[2]
        #expect(n.role == .candidate)
        #expect(n.term == 1)
        #expect(n.vote == 2)
        let rd = net.lastReady(2)!
        // The vote for itself is persisted, with a sync, in the Ready that carries the requests.
        #expect(rd.hardState == HardState(term: 1, vote: 2, commit: 0))
        #expect(rd.mustSync)
        #expect(rd.messages == [
            Message(kind: .vote, from: 2, to: 1, term: 1),
            Message(kind: .vote, from: 2, to: 3, term: 1),
        ])
        #expect(net.storage[2]!.hardState == HardState(term: 1, vote: 2, commit: 0))
    }

    @Test func candidateWithAMajorityLeadsAndAppendsANoopOfItsTerm() {
        let net = Network(5, seed: 7)
        net.tickUntilCampaign(3)
        // Pre-votes out, grants back: the pre-candidate becomes a candidate of term 1.
        net.deliverRound()
        net.deliverRound()
        #expect(net[3].role == .candidate)
        #expect(net[3].term == 1)
        // Vote requests out; deliver only two grants: itself and two others make a majority of 5.
        net.deliverRound()
        net.deliverFirst { $0.kind == .voteResponse && $0.from == 1 }
        #expect(net[3].role == .candidate)
        net.deliverFirst { $0.kind == .voteResponse && $0.from == 2 }
        #expect(net[3].role == .leader)
        #expect(net[3].leader == 3)
        let rd = net.lastReady(3)!
        #expect(rd.softState == SoftState(leader: 3, role: .leader))
        #expect(rd.entries == [Entry(term: 1, index: 1, kind: .noop)])
        #expect(rd.mustSync)
        #expect(rd.messages.filter { $0.kind == .append }.map(\.to) == [1, 2, 4, 5])
        #expect(net[3].log.entries == [Entry(term: 1, index: 1, kind: .noop)])

        net.deliverAll()
        // Followers learn the commit index from the next append or heartbeat.
        net.tick(3, times: 2)
        net.deliverAll()
        for id in net.ids {
            #expect(net[id].term == 1)
            #expect(net[id].leader == 3)
            #expect(net[id].log.entries == [Entry(term: 1, index: 1, kind: .noop)])
            #expect(net[id].log.committed == 1)
            #expect(net.applied[id]! == [Entry(term: 1, index: 1, kind: .noop)])
        }
        #expect(net.leaders.count == 1)
    }

    @Test func atMostOneVotePerTermAndTheVoteIsSyncedBeforeTheAnswer() {
        let net = Network(3) { $0.preVote = false }
        net.inject(Message(kind: .vote, from: 1, to: 3, term: 1))
        var rd = net.lastReady(3)!
        #expect(rd.hardState == HardState(term: 1, vote: 1, commit: 0))
        #expect(rd.mustSync)
        #expect(rd.messages == [Message(kind: .voteResponse, from: 3, to: 1, term: 1)])
        #expect(net.storage[3]!.hardState.vote == 1)

        // Another candidate of the same term is refused...
        net.inject(Message(kind: .vote, from: 2, to: 3, term: 1))
        rd = net.lastReady(3)!
        #expect(rd.messages == [Message(kind: .voteResponse, from: 3, to: 2, term: 1, reject: true)])
        #expect(rd.hardState == nil)
        #expect(net[3].vote == 1)
        // ...a repeated request from the one we voted for is granted again (the answer may have been lost)...
        net.inject(Message(kind: .vote, from: 1, to: 3, term: 1))
        #expect(net.lastReady(3)!.messages == [Message(kind: .voteResponse, from: 3, to: 1, term: 1)])

        // ...and the vote survives a crash.
        net.crash(3)
        net.restart(3)
        #expect(net[3].term == 1)
        #expect(net[3].vote == 1)
        net.inject(Message(kind: .vote, from: 2, to: 3, term: 1))
        #expect(net.lastReady(3)!.messages == [Message(kind: .voteResponse, from: 3, to: 2, term: 1, reject: true)])
        // A later term frees the vote.
        net.inject(Message(kind: .vote, from: 2, to: 3, term: 2))
        rd = net.lastReady(3)!
        #expect(rd.messages == [Message(kind: .voteResponse, from: 3, to: 2, term: 2)])
        #expect(rd.hardState == HardState(term: 2, vote: 2, commit: 0))
        #expect(rd.mustSync)
    }

    @Test func splitVoteLeadsToANewElection() {
        let net = Network(3, seed: 3)
        // All three time out before hearing from each other.
        for id in net.ids { net.tickUntilCampaign(id) }
        net.deliverAll()
        // Each passed the pre-vote, became a candidate of term 1 and voted for itself: nobody won.
        for id in net.ids {
            #expect(net[id].role == .follower)
            #expect(net[id].term == 1)
            #expect(net[id].vote == id)
        }
        #expect(net.sent.filter { $0.kind == .voteResponse && !$0.reject }.isEmpty)
        #expect(net.sent.filter { $0.kind == .voteResponse && $0.reject }.count == 6)

        // Time goes on: randomized timeouts separate the candidates and one wins a later term.
        var rounds = 0
        while net.leaders.isEmpty && rounds < 200 {
            net.tickAll()
            net.deliverAll()
            rounds += 1
        }
        #expect(net.leaders.count == 1)
        #expect(net.leaders.first?.term == 2)
        for id in net.ids { #expect(net[id].term == 2) }
    }

    @Test func aHigherTermMakesALeaderStepDown() throws {
        let net = Network(3, seed: 11)
        #expect(net.elect(1))
        net.isolate([1])
        // The old leader accepts a write it can no longer commit.
        let stale = try net.propose(1, "lost")
        #expect(stale == 2)
        // The others move on to term 2.
        var rounds = 0
        while net.leaders.filter({ $0.term == 2 }).isEmpty && rounds < 200 {
            net.tick(2); net.tick(3); net.deliverAll(); rounds += 1
        }
        let newLeader = try #require(net.leaders.first { $0.term == 2 }).id
        #expect(net[1].role == .leader)  // it has not heard yet
        #expect(net[1].term == 1)

        net.heal()
        // The new leader's heartbeat carries term 2: the old leader steps down and follows it.
        net.tick(newLeader, times: 2)
        net.deliverAll()
        #expect(net[1].role == .follower)
        #expect(net[1].term == 2)
        #expect(net[1].leader == newLeader)
        #expect(net.droppedReads[1]!.isEmpty)
        // Its uncommitted entry of term 1 was replaced by the new leader's log.
        #expect(net.logTerms(1) == [1, 2])
        #expect(net[1].log.entries == net[newLeader].log.entries)
    }

    @Test func aStaleLeaderLearnsTheNewTermFromTheAnswersToItsHeartbeats() throws {
        let net = Network(3, seed: 12)
        #expect(net.elect(1))
        net.isolate([1])
        var rounds = 0
        while net.leaders.filter({ $0.term == 2 }).isEmpty && rounds < 200 {
            net.tick(2); net.tick(3); net.deliverAll(); rounds += 1
        }
        #expect(net.leaders.contains { $0.term == 2 })
        net.heal()
        // Only the old leader ticks: its heartbeats of term 1 reach nodes of term 2, which answer with their term.
        net.tick(1, times: 2)
        let heartbeats = net.inFlight.filter { $0.kind == .heartbeat && $0.from == 1 }
        #expect(heartbeats.map(\.term) == [1, 1])
        net.deliverRound()
        let answers = net.inFlight.filter { $0.to == 1 }
        #expect(answers.map(\.kind) == [.appendResponse, .appendResponse])
        #expect(answers.map(\.term) == [2, 2])
        net.deliverRound()
        #expect(net[1].role == .follower)
        #expect(net[1].term == 2)
    }

    /// §5.4.1: a voter refuses a candidate whose log is less up to date than its own.
    @Test(arguments: [
        // (candidate's last index, last term, granted?) against a voter whose log has terms [1, 1, 2].
        (LogIndex(3), Term(1), false),  // lower last term, even though as long
        (LogIndex(9), Term(1), false),  // lower last term, even though longer
        (LogIndex(2), Term(2), false),  // same last term, shorter
        (LogIndex(3), Term(2), true),   // same last term, as long
        (LogIndex(4), Term(2), true),   // same last term, longer
        (LogIndex(1), Term(3), true),   // higher last term, even though shorter
    ])
    func upToDateCheck(lastIndex: LogIndex, lastTerm: Term, granted: Bool) throws {
        for preVote in [false, true] {
            let state = PersistentState(hardState: HardState(term: 2, vote: noNode, commit: 1), entries: makeLog([1, 1, 2]))
            let net = Network(3, storage: [3: state]) { $0.preVote = preVote }
            let kind: Message.Kind = preVote ? .preVote : .vote
            net.inject(Message(kind: kind, from: 1, to: 3, term: 3, logTerm: lastTerm, index: lastIndex))
            let answer = try #require(net.lastReady(3)?.messages.first)
            #expect(answer.kind == (preVote ? .preVoteResponse : .voteResponse))
            #expect(answer.reject == !granted, "preVote \(preVote): last \(lastIndex)@t\(lastTerm)")
            if preVote {
                // A pre-vote never changes the voter's term or vote.
                #expect(net[3].term == 2)
                #expect(net[3].vote == noNode)
                #expect(answer.term == (granted ? 3 : 2))
            } else {
                // A real vote request of a higher term is adopted, granted or not.
                #expect(net[3].term == 3)
                #expect(net[3].vote == (granted ? 1 : noNode))
                #expect(answer.term == 3)
            }
        }
    }

    @Test func aStableLeaderKeepsItsTermWhileHeartbeatsFlow() {
        let net = Network(5, seed: 5)
        #expect(net.elect(2))
        for _ in 0..<500 {
            net.tickAll()
            net.deliverAll()
        }
        #expect(net.leaders.map(\.id) == [2])
        for id in net.ids {
            #expect(net[id].term == 1)
            #expect(net[id].leader == 2)
        }
        // Only the first election asked for votes: 4 pre-votes and 4 votes.
        #expect(net.sent.filter(\.isVoteRequest).count == 8)
    }
}
