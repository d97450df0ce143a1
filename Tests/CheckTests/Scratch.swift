@testable import Check
import KV
import Testing
@Test func scratchStates() {
    for (n, c, k, u) in [(10_000, 8, 1, 0.0), (10_000, 8, 1, 0.05), (10_000, 16, 1, 0.0), (2000, 16, 1, 0.0), (10_000, 8, 4, 0.05)] {
        let h = randomLinearizableHistory(operations: n, clients: c, keys: k, seed: 9, unknownRate: u)
        for corrupt in [false, true] {
            var ops = h.operations
            if corrupt {
                let target = ops.lastIndex { $0.op.isRead && $0.complete != nil && $0.outcome != .fail }!
                ops[target].outcome = .ok(.value("never-written"))
            }
            let clock = ContinuousClock()
            let key = ops.last!.op.key
            let s = RegisterSearch(operations: ops.filter { $0.op.key == key })
            var e = 0, f = 0
            var fv = RegisterSearch.Verdict.tooComplex, dv = fv
            let dt = clock.measure { dv = s.run(maxStates: 1_000_000, explored: &e) }
            let ft = clock.measure { fv = FrontierSearch(ops: s.ops).run(maxStates: 1_000_000, explored: &f) }
            print("n=\(n) c=\(c) keys=\(k) u=\(u) corrupt=\(corrupt) optional=\(s.ops.filter(\.optional).count) | dfs \(dv) \(e) \(dt) | bfs \(fv) \(f) \(ft)")
        }
    }
}
