@testable import Check
import KV
import Testing
@Test func scratchStates() {
    for (n, c, k, u) in [(10_000, 8, 16, 0.05), (10_000, 8, 1, 0.05), (10_000, 8, 1, 0.2), (10_000, 16, 4, 0.05), (2000, 16, 1, 0.0), (10_000, 32, 1, 0.05)] {
        let h = randomLinearizableHistory(operations: n, clients: c, keys: k, seed: 9, unknownRate: u)
        for corrupt in [false, true] {
            var ops = h.operations
            if corrupt {
                let target = ops.lastIndex { $0.op.isRead && $0.complete != nil && $0.outcome != .fail }!
                ops[target].outcome = .ok(.value("never-written"))
            }
            let clock = ContinuousClock()
            var r = LinearizabilityResult.linearizable
            let t = clock.measure { r = LinearizabilityChecker().check(History(operations: ops)) }
            let key = ops.last!.op.key
            let s = RegisterSearch(operations: ops.filter { $0.op.key == key })
            var e = 0, f = 0
            var fv = RegisterSearch.Verdict.tooComplex
            let ft = clock.measure { fv = FrontierSearch(ops: s.ops).run(maxStates: 5_000_000, explored: &f) }
            print("n=\(n) c=\(c) keys=\(k) u=\(u) corrupt=\(corrupt) -> \(r.isLinearizable) \(t) | frontier(last key) \(fv) explored=\(f) \(ft)")
            _ = e
        }
    }
}
