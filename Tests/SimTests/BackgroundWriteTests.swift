import Testing
import RaftCore
import KV
import Check
@testable import Sim
import ClusterModel

/// `SimConfig.diskLatency`: nodes write in the background, as raftd does (`KV.WritePipeline`).
@Suite("Background storage writes")
struct BackgroundWriteTests {
    private func cluster(_ nodes: Int = 3, seed: UInt64 = 1, disk: ClosedRange<SimTime>) throws -> SimCluster {
        var cfg = SimConfig(nodes: nodes, seed: seed)
        cfg.latency = .ms(1) ... .ms(1)
        cfg.diskLatency = disk
        return try SimCluster(config: cfg)
    }

    @Test func theLeaderCommitsOnItsFollowersDisksWhileItsOwnWriteRuns() throws {
        let c = try cluster(disk: .ms(40) ... .ms(40))
        #expect(c.run(until: .s(3)) { c.leader != nil })
        c.run(for: .ms(300))
        let leader = try #require(c.leader)
        let put = c.perform(.put(key: "x", value: "1"), via: leader)
        #expect(put.succeeded)
        // Its own write takes 40 ms: the put was answered on the followers' disks (thesis §10.2.1),
        // and the leader's disk does not hold the entry yet.
        #expect(c.node(leader).disk.lastIndex < put.index)
        #expect(c.nodeIDs.filter { $0 != leader }.allSatisfy { c.node($0).disk.lastIndex >= put.index })
        // Its crash loses the write in progress; the entry lives on.
        c.crash(leader)
        #expect(c.run(until: c.now + .s(3)) { c.leader != nil && c.leader != leader })
        #expect(c.perform(.get(key: "x")).outcome == .ok(.value("1")))
        c.restart(leader)
        #expect(c.run(until: c.now + .s(3)) { c.isConverged })
        #expect(c.appliedValue("x", on: leader) == .some("1"))
        #expect(c.violation == nil)
    }

    @Test func aLoneNodeAnswersOnlyOnceItsOwnWriteIsDone() throws {
        let c = try cluster(1, disk: .ms(30) ... .ms(30))
        #expect(c.run(until: .s(3)) { c.leader != nil })
        c.run(for: .ms(100))
        let start = c.now
        #expect(c.perform(.put(key: "x", value: "1")).succeeded)
        // One voter: the commit needs its own disk.
        #expect(c.now - start >= .ms(30))
        #expect(c.node(1).disk.lastIndex >= 2)
    }

    @Test func sameSeedSameTraceWithBackgroundWrites() throws {
        let (a, _, logA) = try chaosRun(seed: 9, disk: .ms(1) ... .ms(8))
        let (b, _, logB) = try chaosRun(seed: 9, disk: .ms(1) ... .ms(8))
        #expect(a.traceHash == b.traceHash)
        #expect(a.stats == b.stats)
        #expect(logA == logB)
        let (s, _, _) = try chaosRun(seed: 9)
        #expect(s.traceHash != a.traceHash)
    }
}
