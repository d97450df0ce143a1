import Testing
import ClusterModel
@testable import Scenario
import Sim

/// `add node`, `promote`, `remove node`, `transfer leader to`, `expect members`/`learners` on a
/// simulated cluster, and their clear errors.
@Suite("Membership lines")
struct MembershipCommandTests {
    func run(_ src: String, seed: UInt64? = nil) -> ScenarioResult {
        ScenarioRunner().run(file: "m.scn", source: src, seed: seed)
    }

    @Test func aLearnerStaysALearnerUntilPromotedAndStatusShowsTheConfiguration() {
        let r = run("""
            cluster 3 seed 4
            wait until leader within 3s
            put x 1
            add node 4 as learner
            wait until learners == 4 within 2s
            expect members == 1,2,3
            wait until converged within 2s
            expect applied x == 1 on 4
            status
            promote 4
            wait until members == 1,2,3,4 within 2s
            expect learners == none
            fail 4
            expect invariants
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.output.contains { $0.contains("config 1,2,3 +4 (every running node)") }, "\(r.output)")
    }

    /// A removed node is stopped on purpose: `faults` and `status` do not list it as a fault, while a
    /// crashed member still is one.
    @Test func aRemovedNodeIsNotAFault() {
        let r = run("""
            cluster 5 seed 4
            wait until leader within 3s
            remove node 5
            wait until members == 1,2,3,4 within 3s
            faults
            fail 4
            faults
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        let faults = r.output.filter { $0.hasPrefix("no cuts") || $0.hasPrefix("down") }
        #expect(faults.count == 2 && faults[0].hasPrefix("no cuts, no link faults") && faults[1].hasPrefix("down 4 "),
                "\(r.output)")
    }

    @Test func badMembershipLinesFailWithAClearError() {
        let cases: [(String, String)] = [
            ("add node 7", "node 7 cannot be added: the next new node id is 6"),
            ("add node 2", "node 2 already exists; a new node takes the next id, 6"),
            ("promote 2", "node 2 is already a voter"),
            ("transfer leader to 9", "node 9 is out of range: the cluster has 5 nodes"),
            ("remove node 1\nwait until members == 2,3,4,5 within 3s\nwait until leader within 3s\nrestart 1\nremove node 1",
             "node 1 is not a member"),
        ]
        for (line, message) in cases {
            let r = run("cluster 5 seed 2\nwait until leader within 3s\n" + line + "\n")
            #expect(r.status != .passed, "\(line)")
            #expect(r.errorText?.contains(message) == true, "\(line): \(r.errorText ?? "passed")")
        }
    }

    @Test func jointChangesAreNotALanguageFormAndTransferToTheLeaderSaysSo() {
        let r = run("""
            cluster 3 seed 5
            wait until leader within 3s
            let L = leader
            transfer leader to $L
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.output.last?.contains("already leads") == true, "\(r.output)")
    }

    @Test func membershipLinesAreAnErrorOnAClusterWithoutTheCapability() throws {
        let exec = Executor()
        exec.makeCluster = { cfg, seed, _ in CapabilityFreeCluster(try Executor.simulated(cfg, seed: seed)) }
        let script = try Parser.parse("""
            cluster 3 seed 1
            add node 4
            promote 2
            remove node 3
            transfer leader to 2
            expect members == 1,2,3
            """, file: "m.scn")
        try exec.execute(script.statements[0])
        let words = ["add node", "promote", "remove node", "transfer leader", "expect members"]
        for (statement, line) in zip(script.statements.dropFirst(), words) {
            do {
                try exec.execute(statement)
                Issue.record("`\(line)` ran on a cluster without the capability")
            } catch {
                #expect(error.message == "`\(line)` is not available on exec clusters")
            }
        }
    }
}
