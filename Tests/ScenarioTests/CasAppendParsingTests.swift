import Testing
@testable import Scenario

/// `cas`, `append` and `workload … ops`: parsed, printed back, and refused when malformed.
@Suite struct CasAppendParsingTests {
    func parse(_ line: String) throws -> Statement {
        try #require(try Parser.parse(line, file: "t.scn").statements.first)
    }

    func error(_ line: String) -> String? {
        do { _ = try Parser.parse(line, file: "t.scn"); return nil } catch { return error.message }
    }

    @Test func casAndAppendLines() throws {
        let cas = try parse("cas x 1 \"two words\" via 2 timeout 1s")
        #expect(cas.command as? CasCommand == CasCommand(key: "x", from: "1", to: "two words",
                                                         options: ClientOptions(via: .ids([2]), timeout: 1_000_000_000)))
        #expect(cas.sourceText == "cas x 1 \"two words\" via 2 timeout 1s")
        let append = try parse("append log a")
        #expect(append.command as? AppendCommand == AppendCommand(key: "log", value: "a"))
        #expect(try parse(append.sourceText).sourceText == "append log a")
        #expect(error("cas x 1") == "missing TO for 'cas'")
        #expect(error("append") == "missing KEY for 'append'")
    }

    @Test func workloadMix() throws {
        let w = try parse("workload start clients 4 ops get:4,put:2,cas:1.5,append keys 3")
        #expect(w.sourceText == "workload start clients 4 ops get:4,put:2,cas:1.5,append keys 3")
        guard case .start(let config)? = (w.command as? WorkloadCommand)?.action else {
            Issue.record("not a workload start")
            return
        }
        #expect(config.mix == [WorkloadMixItem(operation: .get, weight: 4), WorkloadMixItem(operation: .put, weight: 2),
                               WorkloadMixItem(operation: .cas, weight: 1.5), WorkloadMixItem(operation: .append, weight: 1)])
        #expect(error("workload start clients 2 ops get,swap")?.hasPrefix("unknown operation 'swap'") == true)
        #expect(error("workload start clients 2 ops get:0") == "the weight of get must be a number above 0, not '0'")
        #expect(error("workload start clients 2 ops get,get") == "'get' given twice")
        #expect(error("workload start clients 2 ratio 0.5 ops get") == "give either 'ratio' (gets and puts) or 'ops' (a mix), not both")
    }
}
