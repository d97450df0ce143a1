import Foundation
import Testing
import ClusterModel
@testable import Scenario
import Sim

@Suite("Workload, report and sweep")
struct WorkloadTests {
    func run(_ src: String, seed: UInt64? = nil) -> ScenarioResult {
        ScenarioRunner().run(file: "w.scn", source: src, seed: seed)
    }

    @Test func reportBeforeAnyWorkloadSaysThereIsNone() {
        let r = run("cluster 3 seed 1\nreport\n")
        #expect(r.status == .passed)
        #expect(r.output.last?.contains("no workload has run yet") == true)
    }

    @Test func workloadOnADeadClusterIsAllUnansweredAndDoesNotHang() {
        let r = run("""
            cluster 3 seed 1
            fail all
            workload start clients 4 requests 20
            wait 2s
            workload stop
            expect unanswered == 4
            report
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.output.contains { $0.contains("unanswered gets") })
    }

    @Test func unansweredCountsCanFail() {
        let r = run("""
            cluster 3 seed 1
            fail all
            workload start clients 2 requests 10
            wait 1s
            workload stop
            expect unanswered == 0
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.seen == "2 unanswered")
    }

    @Test func metricsAreCheckedAgainstTheirValues() {
        let src = """
            cluster 5 seed 3
            workload start clients 4 requests 100 ratio 0.5
            wait 10s
            workload stop
            expect metric gets + puts == 100
            """
        // `gets + puts` is not a metric name: the parser or the executor must reject it.
        let r = run(src)
        #expect(r.status != .passed)
        let ok = run("""
            cluster 5 seed 3
            workload start clients 4 requests 100 ratio 0.5
            wait 10s
            workload stop
            expect metric p99 < 1s
            expect metric unanswered == 0
            expect metric failures == 0
            expect metric max >= 1ms
            expect linearizable
            """)
        #expect(ok.status == .passed, "\(ok.errorText ?? "")")
        let bad = run("""
            cluster 5 seed 3
            workload start clients 4 requests 100 ratio 0.5
            wait 10s
            workload stop
            expect metric p99 < 1us
            """)
        #expect(bad.status == .failed)
    }

    @Test func valueSizeSetsTheBytesOfEveryPut() throws {
        let src = "cluster 3 seed 4\nworkload start clients 2 requests 20 ratio 0 value-size 100\nwait 3s\nworkload stop\n"
        let script = try Parser.parse(src, file: "v.scn")
        #expect(script.statements[1].sourceText == "workload start clients 2 requests 20 ratio 0 value-size 100")
        let exec = Executor()
        try exec.run(script)
        let puts = exec.cluster!.history.operations.compactMap { op -> String? in
            if case .put(_, let v) = op.op { return v } else { return nil }
        }
        #expect(puts.count == 20)
        #expect(puts.allSatisfy { $0.utf8.count == 100 })
        #expect(throws: ParseError.self) { try Parser.parse("workload start clients 2 value-size 0\n", file: "v.scn") }
    }

    @Test func metricNamesInTheCommandTableMatchTheReport() throws {
        let spec = try #require(CommandTable.spec(named: "expect metric"))
        let listed = spec.summary.split(separator: ":", maxSplits: 1)[1]
            .split(separator: "(")[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(listed == WorkloadReport.metricNames)
    }

    @Test func sweepParametersParseAndRejectGarbage() throws {
        let p = try Sweep.Parameter.parse("election=50ms..100ms,150ms..300ms")
        #expect(p.labels == ["50ms..100ms", "150ms..300ms"])
        #expect(throws: ClusterError.self) { try Sweep.Parameter.parse("election=fast") }
        #expect(throws: ClusterError.self) { try Sweep.Parameter.parse("colour=red") }
        do {
            _ = try Sweep.Parameter.parse("nodes=3,x")
            Issue.record("accepted nodes=x")
        } catch {
            #expect(error.description.contains("nodes"))
        }
        let s = Sweep(parameters: [p, try Sweep.Parameter.parse("nodes=3,5")], seeds: 1...2)
        #expect(s.combinations.count == 4)
    }

    @Test func sweepRunsEveryCombinationAndWritesCSVAndSVG() throws {
        let src = """
            cluster 5 seed 1
            put x 1
            fail leader
            wait until leader within 5s
            expect get x == 1
            """
        let s = Sweep(parameters: [try Sweep.Parameter.parse("election=100ms..200ms,400ms..800ms")], seeds: 1...3)
        let rows = s.run(file: "f.scn", source: src)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.runs == 3 && $0.passed == 3 })
        // Shorter election timeouts fail over faster.
        let fast = try #require(rows[0].failoverMedian), slow = try #require(rows[1].failoverMedian)
        #expect(fast < slow)
        let csv = Sweep.csv(rows)
        #expect(csv.split(separator: "\n").count == 3)
        let svg = Sweep.svg(rows, title: "t")
        #expect(svg.hasPrefix("<svg") && svg.contains("<rect") && svg.hasSuffix("</svg>\n"))
    }
}
