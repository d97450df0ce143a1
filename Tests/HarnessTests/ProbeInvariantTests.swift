import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import Check
import Scenario

/// Runs `source` on `cluster` (every cluster line and the default cluster are it).
func runScenario(_ source: String, on cluster: any Cluster) -> (lines: [String], failure: ScenarioFailure?) {
    var lines: [String] = []
    let exec = Executor { lines.append($0) }
    exec.makeCluster = { _, _, _ in cluster }
    do {
        try exec.run(try Parser.parse(source, file: "test.scn"))
        return (lines, nil)
    } catch let f as ScenarioFailure {
        return (lines, f)
    } catch {
        Issue.record("parse error: \(error)")
        return (lines, nil)
    }
}

/// The invariant checker, leader history and trace of real nodes, from their status probes.
@Suite("Invariants, trace and report over UDP", .serialized)
struct ProbeInvariantTests {
    /// A node started with the test-only corruption hook stores and applies another value at the
    /// first put: the probes catch it, and the scenario fails with the invariant's name.
    @Test(.timeLimit(.minutes(1)))
    func aCorruptedLogFailsExpectInvariants() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        var options = UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary)
        options.extraArguments = [2: ["--test-corrupt-log-at", "1"]]
        options.environment = ["RAFTSH_TEST_HOOKS": "1"]
        let c = try UDPCluster(options: options)
        defer { c.shutdown() }
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            put x 1
            put y 2
            wait until converged within 5s
            wait 200ms
            expect invariants
            """, on: c)
        let f = try #require(failure, "the corruption went unnoticed:\n\(lines.joined(separator: "\n"))")
        #expect(f.message.contains("invariant violated: log matching") || f.message.contains("invariant violated: state machine safety"),
                "\(f.message)")
        let v = try #require(c.violation)
        #expect(v.nodes.contains(2), "\(v)")
        #expect(v.detail.contains("node 2"), "\(v.detail)")
        #expect(c.logPath(of: 2).flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.contains("TEST HOOK") == true)
    }

    /// Without the hook the same lines pass, the checker has checked, and `report` has the
    /// message count and the leader history from the probes.
    @Test(.timeLimit(.minutes(1)))
    func healthyNodesPassAndAreReallyChecked() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            put x 1
            fail leader
            wait until leader within 5s
            put x 2
            wait until converged within 5s
            expect invariants
            """, on: c)
        #expect(failure == nil, "\(failure.map(String.init(describing:)) ?? "")\n\(lines.joined(separator: "\n"))")
        #expect(c.probesChecked > 10)
        #expect(c.messagesSent > 0)
        let spans = c.leaderHistory
        #expect(spans.count >= 2 && spans[0].to != nil && spans.last?.to == nil, "\(spans)")
        #expect(spans.last!.term > spans[0].term)
    }

    /// `trace on` over UDP streams role and term changes in the simulator's format, with real
    /// times since the cluster started.
    @Test(.timeLimit(.minutes(1)))
    func traceShowsElectionsInTheSimulatorsFormat() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            trace on
            let L = leader
            fail $L
            wait until leader within 5s
            wait 100ms
            """, on: c)
        #expect(failure == nil, "\(failure.map(String.init(describing:)) ?? "")")
        let elected = lines.filter { $0.range(of: #"^\[t=\d+\.\d{3}s\] node \d became leader \(term \d+\)$"#, options: .regularExpression) != nil }
        #expect(elected.count >= 1, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.range(of: #"^\[t=\d+\.\d{3}s\] node \d is (follower|candidate|pre-candidate) \(term \d+\)$"#, options: .regularExpression) != nil },
                "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("raft messages sent") }, "\(lines.joined(separator: "\n"))")
        // Times never go back.
        let times = lines.compactMap { line -> Double? in
            guard line.hasPrefix("[t="), let end = line.firstIndex(of: "s") else { return nil }
            return Double(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        #expect(times == times.sorted(), "\(lines.joined(separator: "\n"))")
    }
}
