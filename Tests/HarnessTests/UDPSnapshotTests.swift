import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import Scenario

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
        // A node asked twice in a row has nothing new to snapshot: a clear error, not a hang.
        let again = runScenario("snapshot 1\nsnapshot 1\n", on: c)
        #expect(again.failure?.message.contains("applied nothing since its latest snapshot") == true,
                "\(String(describing: again.failure))")
    }
}
