import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import Scenario

/// The membership lines of the language on raftd processes: `add node` starts `raftd --join`,
/// `remove node` stops the node once the removal commits, `transfer leader to`, and the same
/// errors as in the simulator for bad input.
@Suite("Membership over UDP", .serialized)
struct UDPMembershipTests {
    @Test(.timeLimit(.minutes(1)))
    func membershipLinesWorkOnRaftdNodes() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            put x 1
            add node 4 as learner
            wait until learners == 4 within 5s
            promote 4
            wait until members == 1,2,3,4 within 5s
            transfer leader to 4
            wait until leader in 4 within 3s
            remove node 1
            wait until members == 2,3,4 within 5s
            put x 2
            wait until converged within 5s
            expect applied x == 2 on 2,3,4
            status
            status --json
            """, on: c)
        #expect(failure == nil, "\(failure.map { "\($0)" } ?? "")\n\(lines.joined(separator: "\n"))")
        #expect(c.status(of: 1).removed && c.status(of: 1).state == .down && c.pid(of: 1) == nil, "node 1 was stopped")
        #expect(lines.contains { $0.contains("\"voters\":[2,3,4]") }, "status --json shows the configuration")

        // Bad input gets the simulator's words.
        let bad: [(String, String)] = [
            ("add node 7", "node 7 cannot be added: the next new node id is 5"),
            ("add node 2", "node 2 already exists; a new node takes the next id, 5"),
            ("add node 1", "node 1 was removed; a new node takes the next id, 5"),
            ("promote 2", "node 2 is already a voter"),
            ("remove node 1", "node 1 is not a member"),
        ]
        let restart = runScenario("restart 1", on: c)
        #expect(restart.failure == nil && restart.lines.contains { $0.contains("node 1 was removed from the cluster") },
                "\(restart.lines)")
        for (line, message) in bad {
            let r = runScenario(line, on: c)
            #expect(r.failure?.message.contains(message) == true, "`\(line)`: \(String(describing: r.failure))")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func theLastVoterCannotBeRemoved() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 1, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        let r = runScenario("wait until leader within 10s\nremove node 1\n", on: c)
        #expect(r.failure?.message.contains("node 1 is the last voter; a cluster needs one") == true, "\(String(describing: r.failure))")
    }
}
