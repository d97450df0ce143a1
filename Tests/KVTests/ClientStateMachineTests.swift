import Testing
import RaftCore
import TestSupport
@testable import KV

/// The client state machine through its inputs and actions: the one retry policy of the simulated
/// and the real client.
@Suite struct ClientStateMachineTests {
    typealias Action = ClientStateMachine.Action
    typealias Timer = ClientStateMachine.Timer

    let policy = ClientStateMachine.Policy(attemptTimeout: 200, backoff: 25, leaderAttempts: 3)

    func machine(_ members: [NodeID] = [1, 2, 3, 4, 5]) -> ClientStateMachine {
        ClientStateMachine(client: 7, members: members, policy: policy)
    }

    func sends(_ actions: [Action]) -> [NodeID] {
        actions.compactMap { if case .send(_, let to) = $0 { return to } else { return nil } }
    }

    func timers(_ actions: [Action]) -> [(Timer, UInt64)] {
        actions.compactMap { if case .startTimer(let t, let after) = $0 { return (t, after) } else { return nil } }
    }

    func completion(_ actions: [Action]) -> ClientStateMachine.Completion? {
        for a in actions { if case .finish(let c) = a { return c } }
        return nil
    }

    func attemptTimer(_ actions: [Action]) -> Timer? {
        timers(actions).first { $0.0.kind == .attempt }?.0
    }

    @Test func firstAttemptGoesToARandomMemberWithAttemptAndDeadlineTimers() {
        var m = machine()
        var rng = SplitMix64(seed: 1)
        let actions = m.start(.put(key: "x", value: "1"), via: nil, timeout: 5_000, rng: &rng)
        #expect(sends(actions).count == 1)
        #expect([1, 2, 3, 4, 5].contains(sends(actions)[0]))
        let ts = timers(actions)
        #expect(ts.contains { $0.0.kind == .deadline && $0.1 == 5_000 })
        #expect(ts.contains { $0.0.kind == .attempt && $0.1 == 200 })
        #expect(m.isBusy)
        #expect(m.currentRequest == ClientRequest(client: 7, seq: 1, session: ClientRequest.noSession,
                                                  op: .put(key: "x", value: "1")))
    }

    @Test func aDoneReplyFinishesAndRemembersTheLeader() throws {
        var m = machine()
        var rng = SplitMix64(seed: 2)
        let target = sends(m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng))[0]
        let done = m.receive(ClientReply(client: 7, seq: 1, outcome: .done(.value("v")), index: 9), from: target, rng: &rng)
        let c = try #require(completion(done))
        #expect(c.outcome == .ok(.value("v")))
        #expect(c.node == target && c.index == 9 && c.attempts == 1 && c.redirects == 0)
        #expect(m.leaderGuess == target)
        #expect(!m.isBusy)
        // The next operation starts at the remembered leader.
        #expect(sends(m.start(.get(key: "y"), via: nil, timeout: nil, rng: &rng)) == [target])
    }

    @Test func aRedirectWithAMemberHintGoesThereAtOnce() throws {
        var m = machine()
        var rng = SplitMix64(seed: 3)
        let first = sends(m.start(.put(key: "x", value: "1"), via: nil, timeout: nil, rng: &rng))[0]
        let hint: NodeID = first == 4 ? 5 : 4
        let next = m.receive(ClientReply(client: 7, seq: 1, outcome: .notLeader(leader: hint)), from: first, rng: &rng)
        #expect(sends(next) == [hint])
        #expect(m.leaderGuess == hint)
        let c = try #require(completion(m.receive(ClientReply(client: 7, seq: 1, outcome: .done(.ok), index: 3),
                                                  from: hint, rng: &rng)))
        #expect(c.redirects == 1 && c.attempts == 2)
    }

    @Test func aRedirectWithoutAUsableHintBacksOffThenTriesAnotherNode() {
        for hint in [noNode, 99] {  // unknown leader, or a hint that is not a member
            var m = machine()
            var rng = SplitMix64(seed: 4)
            let first = sends(m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng))[0]
            let next = m.receive(ClientReply(client: 7, seq: 1, outcome: .notLeader(leader: hint)), from: first, rng: &rng)
            #expect(sends(next).isEmpty)
            let backoff = timers(next)
            #expect(backoff.count == 1 && backoff[0].0.kind == .backoff && backoff[0].1 == 25)
            #expect(m.leaderGuess == noNode)
            let resent = sends(m.timerFired(backoff[0].0, rng: &rng))
            #expect(resent.count == 1 && resent[0] != first)
        }
    }

    @Test func aLateRedirectFromAnEarlierAttemptIsIgnored() {
        var m = machine()
        var rng = SplitMix64(seed: 5)
        let first = sends(m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng))[0]
        let hint: NodeID = first == 2 ? 3 : 2
        _ = m.receive(ClientReply(client: 7, seq: 1, outcome: .notLeader(leader: hint)), from: first, rng: &rng)
        // The first node redirects again (a duplicate): the attempt is at `hint` now.
        #expect(m.receive(ClientReply(client: 7, seq: 1, outcome: .notLeader(leader: noNode)), from: first, rng: &rng).isEmpty)
        // A final answer counts from any node.
        #expect(completion(m.receive(ClientReply(client: 7, seq: 1, outcome: .done(.value(nil))), from: first, rng: &rng)) != nil)
    }

    @Test func theLeaderIsRetriedBeforeAnotherNodeIsTried() {
        var m = machine()
        var rng = SplitMix64(seed: 6)
        // Learn the leader from a successful answer.
        let leader = sends(m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng))[0]
        _ = m.receive(ClientReply(client: 7, seq: 1, outcome: .done(.value(nil))), from: leader, rng: &rng)
        var actions = m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng)
        var targets = sends(actions)
        for _ in 0..<3 {
            actions = m.timerFired(attemptTimer(actions)!, rng: &rng)
            targets += sends(actions)
        }
        // Three attempts in a row on the silent leader, then another node.
        #expect(targets.prefix(3) == [leader, leader, leader])
        #expect(targets.count == 4 && targets[3] != leader)
        #expect(m.leaderGuess == noNode)
    }

    @Test func staleTimersAndRepliesToOtherRequestsAreIgnored() {
        var m = machine()
        var rng = SplitMix64(seed: 7)
        let start = m.start(.get(key: "x"), via: 2, timeout: nil, rng: &rng)
        let t1 = attemptTimer(start)!
        let retry = m.timerFired(t1, rng: &rng)
        #expect(sends(retry) == [2])
        #expect(m.timerFired(t1, rng: &rng).isEmpty)  // the first attempt's timer again
        #expect(m.receive(ClientReply(client: 7, seq: 9, outcome: .done(.ok)), from: 2, rng: &rng).isEmpty)
        #expect(m.receive(ClientReply(client: 8, seq: 1, outcome: .done(.ok)), from: 2, rng: &rng).isEmpty)
        #expect(m.isBusy)
    }

    @Test func viaStaysOnItsNodeAndEndsOnARedirect() throws {
        var m = machine()
        var rng = SplitMix64(seed: 8)
        let start = m.start(.put(key: "x", value: "1"), via: 4, timeout: nil, rng: &rng)
        #expect(sends(start) == [4])
        let again = m.timerFired(attemptTimer(start)!, rng: &rng)
        #expect(sends(again) == [4])
        let c = try #require(completion(m.receive(ClientReply(client: 7, seq: 1, outcome: .notLeader(leader: 2)),
                                                  from: 4, rng: &rng)))
        #expect(c.outcome == .indefinite(.notLeader(leader: 2)))
        #expect(c.outcome.failure?.description == "not leader (leader is 2)")
    }

    @Test func theDeadlineEndsReadsAsFailedAndWritesAsIndefinite() throws {
        var rng = SplitMix64(seed: 9)
        var m = machine()
        let readStart = m.start(.get(key: "x"), via: nil, timeout: 1_000, rng: &rng)
        let deadline = timers(readStart).first { $0.0.kind == .deadline }!.0
        let read = try #require(completion(m.timerFired(deadline, rng: &rng)))
        #expect(read.outcome == .failed(.timeout))
        let writeStart = m.start(.delete(key: "x"), via: nil, timeout: 1_000, rng: &rng)
        let write = try #require(completion(m.timerFired(timers(writeStart).first { $0.0.kind == .deadline }!.0, rng: &rng)))
        #expect(write.outcome == .indefinite(.timeout))
        #expect(write.request.seq == 2)
        // A server's refusal of a write is indefinite too (it may have been proposed on an earlier attempt).
        let third = m.start(.put(key: "y", value: "1"), via: nil, timeout: nil, rng: &rng)
        let refused = try #require(completion(m.receive(ClientReply(client: 7, seq: 3, outcome: .failed("too large")),
                                                        from: sends(third)[0], rng: &rng)))
        #expect(refused.outcome == .indefinite(.rejected("too large")))
    }

    @Test func abandonAndNonMembers() throws {
        var rng = SplitMix64(seed: 10)
        var m = machine([1, 2, 3])
        #expect(m.abandon("nothing in flight").isEmpty)
        _ = m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng)
        let c = try #require(completion(m.abandon("unanswered")))
        #expect(c.outcome == .failed(.abandoned("unanswered")))
        let bad = try #require(completion(m.start(.get(key: "x"), via: 9, timeout: nil, rng: &rng)))
        #expect(bad.outcome == .failed(.rejected("node 9 is not a member")))
        #expect(!m.isBusy)
    }

    @Test func aOneNodeClusterRetriesItsOnlyNode() {
        var rng = SplitMix64(seed: 11)
        var m = machine([1])
        let start = m.start(.get(key: "x"), via: nil, timeout: nil, rng: &rng)
        var actions = start
        for _ in 0..<5 {
            actions = m.timerFired(attemptTimer(actions)!, rng: &rng)
            #expect(sends(actions) == [1])
        }
    }

    // MARK: Sessions

    @Test func aWriteWithoutASessionStartsOneWhereTheLeaderSaysAndIsSentAgainAtOnce() throws {
        var m = machine()
        var rng = SplitMix64(seed: 12)
        let start = m.start(.put(key: "x", value: "1"), via: nil, timeout: nil, rng: &rng)
        let first = sends(start)[0]
        #expect(m.currentRequest?.session == ClientRequest.noSession)
        let again = m.receive(ClientReply(client: 7, seq: 1, outcome: .sessionExpired(session: ClientRequest.noSession),
                                          index: 42), from: first, rng: &rng)
        #expect(sends(again) == [first], "at once, to the leader that answered")
        #expect(completion(again) == nil)
        #expect(m.session == 42 && m.currentRequest?.session == 42 && m.currentRequest?.seq == 1)
        #expect(m.leaderGuess == first)
        let c = try #require(completion(m.receive(ClientReply(client: 7, seq: 1, outcome: .done(.ok), index: 44),
                                                  from: first, rng: &rng)))
        #expect(c.outcome == .ok(.ok) && c.request.session == 42 && c.attempts == 2)
        // Later writes go in the same session, without another round trip.
        let next = m.start(.put(key: "y", value: "2"), via: nil, timeout: nil, rng: &rng)
        #expect(sends(next) == [first] && m.currentRequest?.session == 42 && m.currentRequest?.seq == 2)
    }

    @Test func anExpiredSessionEndsTheWriteAsIndefiniteAndTheNextWriteStartsAnother() throws {
        var m = machine()
        var rng = SplitMix64(seed: 13)
        let first = sends(m.start(.put(key: "x", value: "1"), via: nil, timeout: nil, rng: &rng))[0]
        _ = m.receive(ClientReply(client: 7, seq: 1, outcome: .sessionExpired(session: ClientRequest.noSession), index: 5),
                      from: first, rng: &rng)
        _ = m.receive(ClientReply(client: 7, seq: 1, outcome: .done(.ok), index: 6), from: first, rng: &rng)
        _ = m.start(.append(key: "x", value: "2"), via: nil, timeout: nil, rng: &rng)
        // A late answer about another session of this request does not count.
        #expect(m.receive(ClientReply(client: 7, seq: 2, outcome: .sessionExpired(session: 4), index: 900),
                          from: first, rng: &rng).isEmpty)
        let c = try #require(completion(m.receive(ClientReply(client: 7, seq: 2, outcome: .sessionExpired(session: 5),
                                                              index: 900), from: first, rng: &rng)))
        #expect(c.outcome == .indefinite(.rejected("session expired")), "it may have applied before the session expired")
        #expect(m.session == ClientRequest.noSession)
        _ = m.start(.put(key: "z", value: "3"), via: nil, timeout: nil, rng: &rng)
        #expect(m.currentRequest?.session == ClientRequest.noSession)
    }
}
