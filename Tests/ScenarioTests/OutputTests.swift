import Foundation
import Testing
import RaftCore
import ClusterModel
import Sim
import Check
@testable import Scenario

/// What the language prints: JSON forms, the trace, errors, faults, role names, limits.
@Suite("Output") struct OutputTests {
    private func run(_ source: String) -> ScenarioResult {
        ScenarioRunner().run(file: "o.scn", source: source, seed: nil)
    }

    /// The line's one JSON document, decoded.
    private func document(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(line)")
    }

    @Test func jsonFormsPrintOneDocumentEach() throws {
        let r = run("""
            cluster 3 seed 2
            put x "a\\nb"
            wait 100ms
            partition 1 | 2,3
            status --json
            log 2 --json
            history --json
            report --json
            workload start clients 2 requests 10
            wait 2s
            report --json
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        let json = r.output.filter { $0.hasPrefix("{") }
        #expect(json.count == 5)
        #expect(json.allSatisfy { !$0.contains("\n") }, "one line each")
        let status = try document(json[0])
        let nodes = try #require(status["nodes"] as? [[String: Any]])
        #expect(nodes.count == 3)
        #expect(Set(nodes[0].keys) == ["id", "state", "role", "term", "commit", "applied", "last_index", "group", "first_index", "snapshot_index",
                                         "voters", "learners", "removed"])
        #expect(status["faults"] as? [String] == ["partition 1 | 2,3"])
        #expect(status["time"] as? String == TimeFormat.instant(UInt64(status["time_ns"] as! Int)))
        let log = try document(json[1])
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(entries.last?["value"] as? String == "a\nb")
        #expect(entries.last?["committed"] as? Bool == true, "\(json[1])")
        let history = try document(json[2])
        let ops = try #require(history["operations"] as? [[String: Any]])
        #expect(ops.first?["op"] as? String == "put" && ops.first?["outcome"] as? String == "ok")
        #expect(try document(json[3])["metrics"] is NSNull)
        let report = try document(json[4])
        let metrics = try #require(report["metrics"] as? [String: Any])
        #expect(Set(metrics.keys) == Set(WorkloadReport.metricNames))
        #expect(report["linearizable"] as? Bool == true)
    }

    @Test func historyEDNWritesWhatCheckReads() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("raftsh-edn-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/h.edn"
        let r = run("""
            cluster 3 seed 4
            put x 1
            cas x 1 2
            expect cas x 1 3 fails with mismatch
            append y a
            history --edn "\(file)"
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.output.contains("wrote 4 operations to \(file) (EDN)"), "\(r.output)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 8, "an invoke and a completion per operation:\n\(text)")
        let back = try HistoryEDN.read(text)
        #expect(back.operations.map(\.op) == [.put(key: "x", value: "1"), .cas(key: "x", from: "1", to: "2"),
                                              .cas(key: "x", from: "1", to: "3"), .append(key: "y", value: "a")])
        guard case .linearizable = LinearizabilityChecker().check(back) else { Issue.record("not linearizable"); return }
        let bad = run("cluster 1\nhistory --edn /nonexistent-dir/h.edn")
        #expect(bad.status == .failed)
        #expect(bad.errorText?.contains("cannot write /nonexistent-dir/h.edn") == true, "\(bad.errorText ?? "")")
    }

    @Test func jsonFlagsRoundTrip() throws {
        let script = try Parser.parse("status --json\nlog 2 --json\nhistory --json\nreport --json\nhistory --edn \"a b.edn\"\n", file: "j.scn")
        #expect(script.sourceText == "status --json\nlog 2 --json\nhistory --json\nreport --json\nhistory --edn \"a b.edn\"\n")
    }

    @Test func commandDashDashHelpIsHelpCommand() throws {
        for (line, topic) in [("put --help", "put"), ("wait until --help", "wait until"), ("expect get x --help", "expect get"),
                              ("wait --help", "wait"), ("quit --help", "quit"), ("save --help", "save")] {
            let statements = try Parser.parseLine(line)
            #expect(statements.map { ($0.command as? HelpCommand)?.topic } == [topic], "\(line)")
        }
    }

    @Test func traceShowsDropsClientsAndStepDowns() {
        let r = run("""
            cluster 5 seed 3
            put x 1
            let L = leader
            trace on
            drop 30% $L -> rest
            isolate $L
            put x 2 timeout 1s
            wait 500ms
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        let trace = r.output.filter { $0.hasPrefix("[t=") }
        #expect(trace.contains { $0.contains("dropped ") && $0.contains(": cut: node ") && $0.contains(" is isolated") })
        #expect(trace.contains { $0.contains("client 1 -> node ") && $0.contains("put x 2 #") })
        #expect(trace.contains { $0.contains("stepped down, CheckQuorum") })
        #expect(trace.allSatisfy { $0.range(of: #"^\[t=\d+\.\d{3}s\] "#, options: .regularExpression) != nil })
    }

    @Test func failuresCarryTheSeedOnlyWhereItReproduces() throws {
        let simulated = run("cluster 3 seed 4\nexpect get x == 1\n")
        #expect(simulated.errorText?.hasSuffix("with seed 4") == true, "\(simulated.errorText ?? "")")
        // A cluster that no seed reproduces (here one of the exec kind): the time, no seed.
        var runner = ScenarioRunner()
        runner.makeCluster = { cfg, seed, _ in CapabilityFreeCluster(try Executor.simulated(cfg, seed: seed)) }
        let foreign = runner.run(file: "f.scn", source: "cluster 3 seed 4\nexpect get x == 1\n", seed: nil)
        #expect(foreign.status == .failed)
        #expect(foreign.errorText?.contains("seed") == false, "\(foreign.errorText ?? "")")
        #expect(foreign.errorText?.contains("at t=") == true)
    }

    @Test func fileErrorsNameThePathAndTheReason() {
        #expect(throws: ClusterError("cannot write /nonexistent-dir/s.scn: no such file or directory")) {
            try FileText.write("x", to: "/nonexistent-dir/s.scn")
        }
        #expect(throws: ClusterError("cannot read /nonexistent-dir/s.scn: no such file or directory")) {
            try FileText.read("/nonexistent-dir/s.scn")
        }
        #expect(throws: ClusterError("cannot read /tmp: it is a folder")) { try FileText.read("/tmp") }
    }

    @Test func junitFailuresCarryTheReproduceLine() {
        let bad = run("cluster 3 seed 1\nexpect get x == 1\n")
        let xml = JUnitReport.xml([bad])
        #expect(xml.contains("reproduce: raftsh run o.scn --seed 1</failure>"), "\(xml)")
    }

    @Test func faultsAndStatusShowEveryFaultInForce() {
        let r = run("""
            cluster 5 seed 5
            put x 1
            block 1 -> 2
            drop 10% 3 -> 4
            pause 4
            fail 5
            faults
            status
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.shown[0] == "blocked 1 -> 2\ndrop 10% on 3 -> 4\npaused 4\ndown 5  [t=0.169s]" || r.shown[0].hasPrefix("blocked 1 -> 2\ndrop 10% on 3 -> 4\npaused 4\ndown 5  [t="),
                "\(r.shown[0])")
        let status = r.shown[1].split(separator: "\n").map(String.init)
        #expect(status.contains { $0.hasPrefix("faults: blocked 1 -> 2; drop 10% on 3 -> 4; paused 4; down 5") }, "\(r.shown[1])")
        #expect(status.contains { $0.hasPrefix("4 ") && $0.contains("paused") && $0.contains("(") }, "\(r.shown[1])")
    }

    @Test func oneNameForEveryRoleAndOneNodeLimit() throws {
        #expect(Role.allCases.map(\.rawValue) == NodeRole.allCases.map(\.rawValue))
        #expect(Role.preCandidate.rawValue == "precandidate")
        #expect(parseError("cluster 65")?.message == "the number of nodes must be from 1 to \(ClusterLimits.maxNodes), not 65")
        #expect(throws: ClusterError("a cluster has 1 to \(ClusterLimits.maxNodes) nodes (got 65)")) {
            try SimConfig(nodes: 65, seed: 1).validate()
        }
        #expect(CommandTable.spec(named: "cluster")!.summary.contains("at most \(ClusterLimits.maxNodes)"))
    }
}
