import Testing
import RaftCore
import ClusterModel
import Check
@testable import Sim

@Suite("Determinism")
struct DeterminismTests {
    @Test func sameSeedSameTrace() throws {
        let (a, _, logA) = try chaosRun(seed: 42)
        let (b, _, logB) = try chaosRun(seed: 42)
        a.run(for: .s(2)); b.run(for: .s(2))
        #expect(a.traceHash == b.traceHash)
        #expect(a.stats == b.stats)
        #expect(logA == logB)
        #expect(a.history.operations == b.history.operations)
        #expect(a.stats.events > 1000)
    }

    @Test func differentSeedDifferentTrace() throws {
        let (a, _, _) = try chaosRun(seed: 42)
        let (b, _, _) = try chaosRun(seed: 43)
        #expect(a.traceHash != b.traceHash)
    }

    @Test func subStreamsAreIndependentAndStable() {
        var a = SeededRandom(seed: 7, stream: "network")
        var b = SeededRandom(seed: 7, stream: "network")
        var c = SeededRandom(seed: 7, stream: "choices")
        let xs = (0..<8).map { _ in a.next() }
        #expect(xs == (0..<8).map { _ in b.next() })
        #expect(xs != (0..<8).map { _ in c.next() })
        // Fixed expectation: the generator must not change under us (replays depend on it).
        var d = SeededRandom(seed: 0)
        #expect(d.next() != d.next())
    }
}
