import Testing
import RaftCore
import KV
import Check
@testable import Sim
import ClusterModel

/// Snapshots in the simulator: nodes compact every `snapshotEvery` entries, their disks keep the
/// snapshot and the log after it across crashes, and a follower that missed compacted entries
/// catches up by InstallSnapshot — all under the invariant checker.
@Suite("Simulated snapshots")
struct SimSnapshotTests {
    private func cluster(_ nodes: Int = 3, every: LogIndex? = 10, seed: UInt64 = 3) throws -> SimCluster {
        var cfg = SimConfig(nodes: nodes, seed: seed)
        cfg.snapshotEvery = every
        return try SimCluster(config: cfg)
    }

    private func puts(_ c: SimCluster, _ range: ClosedRange<Int>) {
        for i in range { #expect(c.perform(.append(key: "log", value: "\(i),")).succeeded, "put \(i)") }
    }

    @Test func nodesSnapshotEveryNEntriesAndTheirDisksKeepTheSnapshotAndTheSuffix() throws {
        let c = try cluster()
        puts(c, 1...35)
        #expect(c.run(until: c.now + .s(2)) { c.isConverged })
        for id in c.nodeIDs {
            let n = c.node(id)
            let applied = n.raft!.log.applied
            #expect(n.disk.snapshot.index > 0 && applied - n.disk.snapshot.index < 10, "node \(id)")
            #expect(n.disk.firstIndex == n.disk.snapshot.index + 1 && n.disk.lastIndex == n.raft!.log.lastIndex)
            #expect(try KVStore(snapshot: n.disk.snapshotData).appliedIndex == n.disk.snapshot.index)
            #expect(c.status(of: id).snapshotIndex == n.disk.snapshot.index)
            #expect(c.status(of: id).firstIndex == n.disk.firstIndex)
        }
        #expect(c.stats.snapshotsTaken >= 9)
        #expect(c.stats.snapshotsInstalled == 0, "nobody lagged")
        // A crash keeps the snapshot and the synced log; the node restarts into the same state.
        let id = c.leader!
        let digest = c.node(id).server!.store.digest
        let point = c.node(id).disk.snapshot
        c.crash(id)
        #expect(c.node(id).disk.snapshot == point)
        c.restart(id)
        #expect(c.node(id).raft!.log.offset == point.index)
        #expect(c.run(until: c.now + .s(3)) { c.isConverged })
        #expect(c.node(id).server!.store.digest == digest)
        #expect(c.violation == nil)
    }

    @Test func takeSnapshotCompactsOneNodeNow() throws {
        let c = try cluster(every: nil)
        puts(c, 1...5)
        #expect(c.run(until: c.now + .s(1)) { c.isConverged })
        let id = c.nodeIDs.first { $0 != c.leader }!
        let index = try #require(c.takeSnapshot(id))
        #expect(c.snapshotIndex(of: id) == index && c.node(id).disk.snapshot.index == index)
        #expect(c.takeSnapshot(id) == nil, "nothing applied since")
        #expect(c.nodeIDs.filter { c.snapshotIndex(of: $0) > 0 } == [id])
        c.crash(id)
        #expect(c.takeSnapshot(id) == nil)
        #expect(c.snapshotIndex(of: id) == index, "read from its disk while down")
    }

    @Test func aFollowerDownWhileTheLeaderCompactedCatchesUpBySnapshot() throws {
        let c = try cluster(5)
        puts(c, 1...3)
        let follower = c.nodeIDs.first { $0 != c.leader }!
        c.crash(follower)
        puts(c, 4...40)
        #expect(c.snapshotIndex(of: c.leader!) > c.node(follower).disk.lastIndex)
        c.restart(follower)
        #expect(c.run(until: c.now + .s(3)) { c.isConverged })
        #expect(c.stats.snapshotsInstalled >= 1 && c.stats.snapshotsSent >= 1)
        #expect(c.stats.snapshotChunksSent >= c.stats.snapshotsSent && c.stats.snapshotBytesSent > 0)
        #expect(c.appliedValue("log", on: follower) == .some((1...40).map { "\($0)," }.joined()))
        #expect(c.node(follower).disk.snapshot.index > 0)
        #expect(c.violation == nil)
        if case .violation(let key, _) = LinearizabilityChecker().check(c.history) {
            Issue.record("not linearizable on key \(key)")
        }
    }

    @Test func sameSeedSameTraceWithSnapshots() throws {
        func run() throws -> (UInt64, SimStats) {
            let c = try cluster(5, every: 4, seed: 11)
            puts(c, 1...3)
            c.crash(2)
            puts(c, 4...30)
            c.restart(2)
            _ = c.run(until: c.now + .s(2)) { c.isConverged }
            return (c.traceHash, c.stats)
        }
        let (a, sa) = try run()
        let (b, sb) = try run()
        #expect(a == b && sa == sb)
        #expect(sa.snapshotsInstalled >= 1)
    }
}
