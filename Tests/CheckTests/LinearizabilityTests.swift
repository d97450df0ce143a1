@testable import Check
import KV
import Testing

@Suite struct LinearizabilityTests {
    let checker = LinearizabilityChecker()

    // MARK: - Linearizable histories

    @Test func emptyHistoryIsLinearizable() {
        #expect(checker.check(History()).isLinearizable)
    }

    @Test func sequentialHistory() {
        let h = history([
            get(1, "x", nil, 0, 5),
            put(1, "x", "1", 10, 20),
            get(2, "x", "1", 30, 40),
            put(2, "x", "2", 50, 60),
            get(1, "x", "2", 70, 80),
            del(1, "x", 90, 100),
            get(2, "x", nil, 110, 120),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test(arguments: ["1", "2"])
    func concurrentPutsReadInEitherOrder(_ seen: String) {
        let h = history([
            put(1, "x", "1", 0, 100),
            put(2, "x", "2", 10, 90),
            get(3, "x", seen, 120, 130),
            get(4, "x", seen, 140, 150),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test func readsDuringConcurrentPutsMaySeeEitherTransition() {
        let h = history([
            put(1, "x", "1", 0, 100),
            put(2, "x", "2", 0, 100),
            get(3, "x", nil, 5, 10),
            get(3, "x", "2", 20, 30),
            get(4, "x", "1", 40, 50),
            get(3, "x", "1", 60, 70),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test func operationsTouchingAtOneInstantAreConcurrent() {
        // The get is invoked exactly when the put completes: either order is allowed.
        let h = history([
            put(1, "x", "1", 0, 10),
            put(1, "x", "2", 20, 30),
            get(2, "x", "1", 30, 40),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test func unknownPutThatTookEffect() {
        let h = history([
            put(1, "x", "1", 0, 10),
            put(1, "x", "2", 20, nil, .unknown),            // never answered
            put(2, "y", "a", 20, 500, .unknown),            // timed out at 500ms
            get(2, "x", "1", 30, 40),
            get(3, "x", "2", 1_000, 1_010),
            get(3, "x", "2", 1_020, 1_030),
            get(3, "y", "a", 2_000, 2_010),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test func unknownPutThatNeverTookEffect() {
        let h = history([
            put(1, "x", "1", 0, 10),
            put(1, "x", "2", 20, 60, .unknown),
            get(2, "x", "1", 30, 40),
            get(2, "x", "1", 1_000, 1_010),
            del(3, "x", 50, nil, .unknown),
            get(2, "x", "1", 2_000, 2_010),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test func unknownPutMayTakeEffectAfterLaterWrites() {
        // The timed-out put of 2 lands after the put of 3 that was invoked later.
        let h = history([
            put(1, "x", "2", 0, 50, .unknown),
            put(2, "x", "3", 100, 110),
            get(2, "x", "3", 120, 130),
            get(3, "x", "2", 200, 210),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    @Test func failedOperationsAndUnansweredReadsAreIgnored() {
        let h = history([
            put(1, "x", "1", 0, 10),
            put(2, "x", "2", 20, 30, .fail),
            Spec(client: 3, op: .get(key: "x"), from: 20, to: 30, outcome: .unknown),
            Spec(client: 3, op: .get(key: "x"), from: 40, to: nil, outcome: .unknown),
            get(1, "x", "1", 50, 60),
        ])
        #expect(checker.check(h).isLinearizable)
    }

    // MARK: - Violations

    @Test func staleReadAfterCompletedWrite() {
        let h = history([
            put(1, "x", "1", 0, 10),
            put(1, "x", "2", 20, 30),
            get(2, "x", "1", 40, 50),
        ])
        let r = checker.check(h)
        #expect(r.violationKey == "x")
        #expect(r.violationOperations.count == 3)
    }

    @Test func lostWriteReadsNilAfterAcknowledgedPut() {
        let h = history([
            put(1, "x", "1", 0, 10),
            get(2, "x", nil, 20, 30),
        ])
        #expect(checker.check(h).violationKey == "x")
    }

    @Test func readOfValueNeverWritten() {
        let h = history([
            put(1, "x", "1", 0, 10),
            get(2, "x", "zzz", 0, 30),
        ])
        #expect(checker.check(h).violationKey == "x")
    }

    @Test func readsObservingValuesInImpossibleOrder() {
        // Both puts overlap all reads; still 1 -> 2 -> 1 needs one put to happen twice.
        let h = history([
            put(1, "x", "1", 0, 100),
            put(2, "x", "2", 0, 100),
            get(3, "x", "1", 10, 20),
            get(4, "x", "2", 30, 40),
            get(3, "x", "1", 50, 60),
        ])
        #expect(checker.check(h).violationKey == "x")
    }

    @Test func readOfFailedWrite() {
        let h = history([
            put(1, "x", "1", 0, 10),
            put(1, "x", "2", 20, 30, .fail),
            get(2, "x", "2", 40, 50),
        ])
        #expect(checker.check(h).violationKey == "x")
    }

    @Test func unknownWriteCannotTakeEffectBeforeItsInvocation() {
        let h = history([
            get(2, "x", "2", 0, 10),
            put(1, "x", "2", 50, nil, .unknown),
        ])
        #expect(checker.check(h).violationKey == "x")
    }

    @Test func deleteMustTakeEffect() {
        let h = history([
            put(1, "x", "1", 0, 10),
            del(1, "x", 20, 30),
            get(2, "x", "1", 40, 50),
        ])
        #expect(checker.check(h).violationKey == "x")
    }

    @Test func violationIsReportedForTheSmallestFailingKeyInInvokeOrder() {
        let h = history([
            // "a": fine.
            put(1, "a", "1", 0, 10), get(1, "a", "1", 20, 30),
            // "b": five operations, fails.
            put(1, "b", "1", 0, 10), put(1, "b", "2", 20, 30), get(2, "b", "2", 35, 38),
            get(2, "b", "2", 40, 45), get(2, "b", "1", 50, 60),
            // "c": three operations, fails; listed here out of invoke order.
            get(3, "c", "9", 40, 50), put(3, "c", "1", 0, 10), get(3, "c", "1", 20, 30),
        ])
        let r = checker.check(h)
        #expect(r.violationKey == "c")
        let ops = r.violationOperations
        #expect(ops.map(\.invoke) == [ms(0), ms(20), ms(40)])
        #expect(ops.allSatisfy { $0.op.key == "c" })
    }

    @Test func searchGivesUpWhenTooComplex() {
        let h = history([
            put(1, "x", "1", 0, 100), put(2, "x", "2", 0, 100), put(3, "x", "3", 0, 100),
            get(4, "x", "3", 110, 120),
        ])
        let r = LinearizabilityChecker(maxStatesPerKey: 2).check(h)
        guard case .tooComplex(let key) = r else {
            Issue.record("expected tooComplex, got \(r)")
            return
        }
        #expect(key == "x")
    }

    @Test func describeRendersOneAlignedLinePerOperation() {
        let h = history([
            put(1, "x", "1", 0, 1500),
            get(12, "x", nil, 250, 2000),
            put(3, "x", "two words\n", 3000, nil, .unknown),
            del(3, "x", 4000, 5000, .fail),
        ])
        // Times as every output shows them (t=...s); values quoted and escaped.
        let expected = #"""
            #0  client 1   put x 1              t=0.000s .. t=1.500s  ok
            #1  client 12  get x                t=0.250s .. t=2.000s  -> none
            #2  client 3   put x "two words\n"  t=3.000s .. never     unknown
            #3  client 3   delete x             t=4.000s .. t=5.000s  fail
            """#
        #expect(describe(h.operations) == expected)
    }

    // MARK: - Cross-check against brute force

    /// Every small random history (some made non-linearizable by corrupting a read) gets the same
    /// verdict from the checker and from an exhaustive search over orders.
    @Test func agreesWithBruteForceOnSmallHistories() {
        var rng = SeededGenerator(seed: 7)
        var verdicts = (yes: 0, no: 0)
        for round in 0..<3_000 {
            var ops: [HistoryOperation] = []
            let n = Int.random(in: 1...7, using: &rng)
            for i in 0..<n {
                let invoke = Timestamp.random(in: 0...20, using: &rng)
                let complete = invoke + Timestamp.random(in: 0...10, using: &rng)
                let r = Int.random(in: 0..<10, using: &rng)
                let value = "\(Int.random(in: 0..<3, using: &rng))"
                var op = HistoryOperation(id: i, client: ClientID(i), op: .get(key: "x"), invoke: invoke,
                                          complete: complete, outcome: .ok(.value(r == 0 ? nil : value)))
                if r >= 5 { op.op = .put(key: "x", value: value); op.outcome = .ok(.ok) }
                if r == 9 { op.op = .delete(key: "x"); op.outcome = .ok(.ok) }
                if r >= 5, Int.random(in: 0..<4, using: &rng) == 0 {
                    op.outcome = Bool.random(using: &rng) ? .unknown : .fail
                    if Bool.random(using: &rng) { op.complete = nil }
                }
                ops.append(op)
            }
            let h = History(operations: ops)
            let expected = bruteForceLinearizable(h.operations)
            let got = checker.check(h)
            #expect(got.isLinearizable == expected, "round \(round):\n\(describe(h.operations))")
            if expected { verdicts.yes += 1 } else { verdicts.no += 1 }
        }
        // Both verdicts must be well represented for the comparison to mean something.
        #expect(verdicts.yes > 500 && verdicts.no > 500, "\(verdicts)")
    }

    /// The same cross-check with compare-and-set and append (the general model search), results
    /// made up at random so that both verdicts come up.
    @Test func agreesWithBruteForceOnSmallHistoriesWithCasAndAppend() {
        var rng = SeededGenerator(seed: 11)
        var verdicts = (yes: 0, no: 0)
        for round in 0..<3_000 {
            var ops: [HistoryOperation] = []
            let n = Int.random(in: 1...6, using: &rng)
            for i in 0..<n {
                let invoke = Timestamp.random(in: 0...20, using: &rng)
                let complete = invoke + Timestamp.random(in: 0...10, using: &rng)
                let v = { "\(Int.random(in: 0..<3, using: &rng))" }
                let op: KVOperation
                let outcome: OperationOutcome
                switch Int.random(in: 0..<10, using: &rng) {
                case 0...2:
                    op = .get(key: "x")
                    let r = Int.random(in: 0..<4, using: &rng)
                    outcome = .ok(.value(r == 0 ? nil : r == 1 ? "\(v())\(v())" : v()))
                case 3, 4: op = .put(key: "x", value: v()); outcome = .ok(.ok)
                case 5, 6: op = .append(key: "x", value: v()); outcome = .ok(.ok)
                case 7: op = .delete(key: "x"); outcome = .ok(.ok)
                default:
                    op = .cas(key: "x", from: v(), to: v())
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: outcome = .ok(.ok)
                    case 1: outcome = .ok(.casFailed(current: Bool.random(using: &rng) ? nil : v()))
                    default: outcome = .ok(.casMismatch)
                    }
                }
                var h = HistoryOperation(id: i, client: ClientID(i), op: op, invoke: invoke, complete: complete, outcome: outcome)
                if !op.isRead, Int.random(in: 0..<4, using: &rng) == 0 {
                    h.outcome = Bool.random(using: &rng) ? .unknown : .fail
                    if Bool.random(using: &rng) { h.complete = nil }
                }
                ops.append(h)
            }
            let h = History(operations: ops)
            let expected = bruteForceLinearizable(h.operations)
            let got = checker.check(h)
            #expect(got.isLinearizable == expected, "round \(round):\n\(describe(h.operations))")
            if expected { verdicts.yes += 1 } else { verdicts.no += 1 }
        }
        #expect(verdicts.yes > 300 && verdicts.no > 300, "\(verdicts)")
    }
}

/// Exhaustive search over linearization orders of one key's operations (no memoization), for every
/// kind of operation: a read must see the value; a cas that applied must find its expected value;
/// a failed cas must find the value it reported (not the expected one); an operation with an
/// unknown outcome may take effect or not.
func bruteForceLinearizable(_ ops: [HistoryOperation]) -> Bool {
    struct Op { var op: KVOperation; var result: KVResult?; var invoke: Timestamp; var complete: Timestamp; var optional: Bool }
    var list: [Op] = []
    for h in ops {
        switch (h.op, h.outcome) {
        case (_, .fail), (.get, .unknown): break
        case (.get, .ok(.value)): list.append(Op(op: h.op, result: h.outcome.result, invoke: h.invoke, complete: h.complete ?? .max, optional: false))
        case (.get, .ok): break
        case (_, .ok(let r)): list.append(Op(op: h.op, result: r, invoke: h.invoke, complete: h.complete ?? .max, optional: false))
        case (_, .unknown): list.append(Op(op: h.op, result: nil, invoke: h.invoke, complete: .max, optional: true))
        }
    }
    /// The value after `op`, or nil if it cannot take effect on `value` with its result.
    func step(_ op: Op, _ value: String?) -> String?? {
        switch (op.op, op.result) {
        case (.get, .value(let v)?): return v == value ? .some(value) : nil
        case (.put(_, let v), _): return .some(v)
        case (.delete, _): return .some(nil)
        case (.append(_, let v), _): return .some((value ?? "") + v)
        case (.cas(_, let from, let to), .ok?): return value == from ? .some(to) : nil
        case (.cas(_, let from, _), .casFailed(let found)?): return value == found && value != from ? .some(value) : nil
        case (.cas(_, let from, _), .casMismatch?): return value != nil && value != from ? .some(value) : nil
        case (.cas(_, let from, let to), nil): return .some(value == from ? to : value)
        default: return nil
        }
    }
    var done = [Bool](repeating: false, count: list.count)
    func search(_ value: String?) -> Bool {
        if list.indices.allSatisfy({ done[$0] || list[$0].optional }) { return true }
        for i in list.indices where !done[i] {
            // i may go next only if no pending required operation completed before i was invoked.
            let blocked = list.indices.contains { j in !done[j] && j != i && !list[j].optional && list[j].complete < list[i].invoke }
            if blocked { continue }
            guard let after = step(list[i], value) else { continue }
            done[i] = true
            if search(after) { return true }
            done[i] = false
        }
        return false
    }
    return search(nil)
}

extension OperationOutcome {
    var result: KVResult? { if case .ok(let r) = self { return r } else { return nil } }
}
