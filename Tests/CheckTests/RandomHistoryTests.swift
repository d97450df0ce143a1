import Check
import KV
import Testing

@Suite struct RandomHistoryTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func largeRandomLinearizableHistory(seed: UInt64) {
        let h = randomLinearizableHistory(operations: 5_000, clients: 8, keys: 10, seed: seed)
        let r = LinearizabilityChecker().check(h)
        #expect(r.isLinearizable, "\(r)")
    }

    @Test func heavilyContendedSingleKey() {
        let h = randomLinearizableHistory(operations: 2_000, clients: 16, keys: 1, seed: 9, unknownRate: 0.05)
        #expect(LinearizabilityChecker().check(h).isLinearizable)
    }

    /// Corrupting one read of a large random history (to a value never written) is caught, and the
    /// report names that read's key.
    @Test func corruptedReadInLargeHistoryIsFound() {
        let h = randomLinearizableHistory(operations: 5_000, clients: 8, keys: 10, seed: 4)
        var ops = h.operations
        let target = ops.lastIndex { $0.op.isRead && $0.complete != nil && $0.outcome != .fail }!
        ops[target].outcome = .ok(.value("never-written"))
        let r = LinearizabilityChecker().check(History(operations: ops))
        #expect(r.violationKey == ops[target].op.key)
        #expect(r.violationOperations.contains { $0.id == target })
    }

    /// A read that returns an older value, long after a newer write completed, is caught.
    @Test func staleReadInLargeHistoryIsFound() {
        let h = randomLinearizableHistory(operations: 3_000, clients: 8, keys: 5, seed: 5, unknownRate: 0, failRate: 0)
        var ops = h.operations
        // The first completed put on k0, then a read of its value much later, after other writes.
        let firstPut = ops.firstIndex { if case .put(key: "k0", _) = $0.op { return true } else { return false } }!
        let lastPut = ops.lastIndex { if case .put(key: "k0", let v) = $0.op { return v != ops[firstPut].op.value } else { return false } }!
        let end = ops.map { $0.complete ?? $0.invoke }.max()!
        ops.append(HistoryOperation(id: ops.count, client: 99, op: .get(key: "k0"), invoke: max(end, ops[lastPut].complete!) + 1,
                                    complete: max(end, ops[lastPut].complete!) + 2, outcome: .ok(.value(ops[firstPut].op.value))))
        let r = LinearizabilityChecker().check(History(operations: ops))
        #expect(r.violationKey == "k0")
    }

    /// The size the brief asks to be fast: 10,000 operations, 8 clients, 100 keys (its speed is
    /// measured by `raftsh bench sim`, not here).
    @Test func tenThousandOperations() {
        let h = randomLinearizableHistory(operations: 10_000, clients: 8, keys: 100, seed: 42)
        #expect(LinearizabilityChecker().check(h).isLinearizable)
    }

    /// Histories with compare-and-set and append (checked by the general model search) that a real
    /// store produced are linearizable; corrupting a cas result is caught.
    @Test(arguments: [1, 2] as [UInt64])
    func randomHistoriesWithCasAndAppend(seed: UInt64) {
        let h = randomLinearizableHistory(operations: 2_000, clients: 8, keys: 5, seed: seed, casAppendRate: 0.5)
        #expect(h.operations.contains { if case .cas = $0.op, case .ok(.ok) = $0.outcome { return true } else { return false } })
        #expect(h.operations.contains { if case .append = $0.op { return true } else { return false } })
        let r = LinearizabilityChecker().check(h)
        #expect(r.isLinearizable, "\(r)")
        var ops = h.operations
        let target = ops.lastIndex {
            if case .cas = $0.op, case .ok(.ok) = $0.outcome { return true } else { return false }
        }!
        // Claim the cas found a value no one wrote.
        ops[target].outcome = .ok(.casFailed(current: "never-written"))
        #expect(LinearizabilityChecker().check(History(operations: ops)).violationKey == ops[target].op.key)
    }
}
