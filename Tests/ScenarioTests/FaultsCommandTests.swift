import Testing
@testable import Scenario

@Suite("faults") struct FaultsCommandTests {
    @Test func parsesAloneAndPrintsBack() throws {
        let script = try Parser.parse("faults\n", file: "f.scn")
        #expect(script.statements.map { $0.command as? FaultsCommand } == [FaultsCommand()])
        #expect(script.sourceText == "faults\n")
        #expect(parseError("faults 1")?.message == "too many arguments for 'faults': unexpected '1'")
    }

    @Test func listsEveryCutAndLinkFaultThenNoneAfterHeal() {
        let r = ScenarioRunner().run(file: "f.scn", source: """
            cluster 5 seed 1
            faults
            partition 1,2 | 3
            isolate 5
            block 2 -> 1
            block 1 -> 2
            drop 30%
            duplicate 2.5% 1 -> 3
            drop 50% 4 -> 5
            drop 50% 1 -> 3
            delay 10ms..200ms
            delay 5ms 2 -> 4
            faults
            heal
            faults
            """, seed: nil)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.output.count == 15)
        #expect(r.output[1] == "no cuts, no link faults  [t=0.000s]")
        #expect(r.output[12] == """
            partition 1,2 | 3 | 4,5
            isolated 5
            blocked 1 -> 2, 2 -> 1
            drop 30% on all links
            drop 50% on 1 -> 3, 4 -> 5
            duplicate 2.5% on 1 -> 3
            delay 10ms..200ms on all links
            delay 5.0ms..5.0ms on 2 -> 4  [t=0.000s]
            """)
        #expect(r.output[14] == "no cuts, no link faults  [t=0.000s]")
    }

    @Test func isAnErrorOnAClusterWithoutNetworkControl() throws {
        let exec = Executor()
        exec.makeCluster = { cfg, seed, _ in CapabilityFreeCluster(try Executor.simulated(cfg, seed: seed)) }
        let script = try Parser.parse("cluster 3 seed 1\nfaults\npartition 1 | 2\nexpect invariants\n", file: "f.scn")
        try exec.execute(script.statements[0])
        for (statement, line) in zip(script.statements.dropFirst(), ["faults", "partition", "expect invariants"]) {
            do {
                try exec.execute(statement)
                Issue.record("`\(line)` ran on a cluster without the capability")
            } catch {
                #expect(error.message == "`\(line)` is not available on exec clusters")
                #expect(error.location == statement.location)
            }
        }
    }
}
