import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import Scenario
import Wire

/// The snapshot lines of the language on real nodes: `snapshot-every` reaches raftd, `snapshot
/// NODES` and `expect snapshot` go through the control protocol, `status` shows the snapshot column.
@Suite("Snapshots over UDP", .serialized)
struct UDPSnapshotTests {
    @Test(.timeLimit(.minutes(1)))
    func snapshotLinesWorkOnRaftdNodes() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        var options = UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary)
        options.snapshotEvery = 4
        let c = try UDPCluster(options: options)
        defer { c.shutdown() }
        #expect(c.snapshotEvery == 4)
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            let F = follower
            fail $F
            repeat 10
              put k v
            end
            put x 1
            expect snapshot leader >= 8
            restart $F
            wait until applied x == 1 on $F within 5s
            expect snapshot $F >= 8
            put y 2
            wait until converged within 5s
            snapshot all
            expect snapshot all >= 13
            status
            """, on: c)
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")\n\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("took a snapshot at index") })
        #expect(lines.contains { $0.contains("first") && $0.contains("snapshot") }, "the status table has the columns")
        // A node asked twice in a row has nothing new to snapshot: it says so, and the line passes.
        let again = runScenario("snapshot 1\nsnapshot 1\n", on: c)
        #expect(again.failure == nil, "\(String(describing: again.failure))")
        #expect(again.lines.contains { $0.contains("applied nothing since its snapshot at index") }, "\(again.lines)")
    }

    /// A node that installed a snapshot from the leader, and then restarted from it, still reports
    /// the chained log hash (the snapshot carries it), equal to its peers' at the same index, so the
    /// prober goes on comparing its log; and `report` counts the snapshots from the status reports.
    @Test(.timeLimit(.minutes(1)))
    func aNodeThatInstalledASnapshotReportsComparableLogHashes() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        var options = UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary)
        options.snapshotEvery = 4
        let c = try UDPCluster(options: options)
        defer { c.shutdown() }
        func compareHashes(_ when: String, installer known: NodeID? = nil) throws -> NodeID {
            var reports: [NodeReport] = []
            let settled = c.wait(until: {
                reports = c.nodeIDs.compactMap { c.report($0) }
                return reports.count == 3 && Set(reports.map(\.commit)).count == 1 && Set(reports.map(\.lastIndex)).count == 1
            }, within: 5_000_000_000)
            #expect(settled, "\(when): the nodes did not settle on one commit index: \(reports)")
            let installer = try #require(reports.first { r in known.map { r.id == $0 } ?? (r.snapshotsInstalled >= 1) },
                                         "\(when): no node installed a snapshot")
            #expect(installer.firstIndex > 8, "\(when): node \(installer.id) starts its log at \(installer.firstIndex)")
            for r in reports {
                #expect(r.commitHash != 0 && r.lastHash != 0, "\(when): node \(r.id) reports no log hash: \(r)")
                #expect(r.commitHash == reports[0].commitHash, "\(when): nodes \(r.id) and \(reports[0].id) differ at commit \(r.commit)")
            }
            return installer.id
        }
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            let F = follower
            fail $F
            repeat 10
              put k v
            end
            expect snapshot leader >= 8
            restart $F
            put x 1
            wait until applied x == 1 on $F within 5s
            wait until converged within 5s
            expect invariants
            """, on: c)
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")\n\(lines.joined(separator: "\n"))")
        let installer = try compareHashes("after the install")
        let counts = c.snapshotCounts
        #expect((counts.taken ?? 0) >= 2 && (counts.sent ?? 0) >= 1 && (counts.installed ?? 0) >= 1, "\(counts)")
        // Restarted from the installed snapshot (and the log after it), it still knows the hash.
        try c.crash(installer)
        try c.restart(installer)
        let again = runScenario("put y 2\nwait until converged within 5s\nexpect invariants\n", on: c)
        #expect(again.failure == nil, "\(String(describing: again.failure))")
        _ = try compareHashes("after the restart", installer: installer)
        #expect(c.probesChecked > 0)
    }
}
