import Testing
import ClusterModel
import Sim
@testable import Scenario

/// Each line means exactly what it says (issue 10): what a line did, printed and left behind.
@Suite("Line semantics") struct SemanticsTests {
    /// Runs `source`, expecting it to pass.
    private func run(_ source: String) -> ScenarioResult {
        ScenarioRunner().run(file: "s.scn", source: source, seed: nil)
    }

    // MARK: wait until never runs past its limit

    @Test func waitUntilAReadNeverRunsPastWithin() throws {
        // Three of five down: every read times out. Each poll's read is bounded by the time left,
        // so the wait ends exactly at its limit (it used to run a full 5s read per poll).
        let exec = Executor()
        let script = try Parser.parse("""
            cluster 5 seed 3
            put x 1
            fail 1,2,3
            wait until get x == 2 within 500ms
            """, file: "w.scn")
        for s in script.statements.dropLast() { try exec.execute(s) }
        let c = try #require(exec.cluster)
        let start = c.now
        #expect(throws: ScenarioFailure.self) { try exec.execute(script.statements.last!) }
        #expect(c.now - start == 500_000_000, "ran \(c.now - start)ns")
        // No operation of the wait outlives it.
        #expect(c.history.operations.allSatisfy { ($0.complete ?? .max) <= start + 500_000_000 })
    }

    @Test func aWaitThatHeldRunsNothingAfter() throws {
        let exec = Executor()
        let script = try Parser.parse("""
            cluster 3 seed 2
            put x 1
            wait until get x == 1 within 2s
            """, file: "w.scn")
        for s in script.statements.dropLast() { try exec.execute(s) }
        let c = try #require(exec.cluster)
        let before = c.history.operations.count
        try exec.execute(script.statements.last!)
        // One read held: exactly one more operation, the read that held (none run to print it).
        #expect(c.history.operations.count == before + 1)
        #expect(c.history.operations.last?.complete == c.now)
    }

    @Test func defaultLimitIsNamedWhenAWaitFails() {
        let r = run("""
            cluster 3 seed 2
            fail all
            wait until leader
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.message == "wait until leader: not reached within 10.00s (the default; write `within DURATION`)")
        #expect(r.clusterTime == 10_000_000_000)
    }

    // MARK: the leader

    @Test func aLeaderWithoutAQuorumIsNoLeaderForTheConditions() {
        let r = run("""
            cluster 5 seed 4
            put x 1
            let L = leader
            fail follower,follower,follower
            wait until leader within 100ms
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.seen?.hasPrefix("no leader with a quorum: node ") == true, "\(r.errorText ?? "")")
        #expect(r.failure?.seen?.contains("reaches 2 of 5 nodes") == true, "\(r.errorText ?? "")")
    }

    @Test func leaderEqualsAVariableOfSeveralNodesNeedsOneNode() {
        let r = run("""
            cluster 5 seed 4
            put x 1
            let S = 1,2
            expect leader == $S
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.message == "`leader == NODE` needs one node; $S holds 1,2")
    }

    @Test func aPausedNodeHasNoRoleAndIsNoFollower() {
        let r = run("""
            cluster 5 seed 5
            put x 1
            let L = leader
            pause $L
            expect no leader
            expect role $L != leader
            expect role $L == leader
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.location.line == 7)
        #expect(r.failure?.seen?.contains("is paused (frozen as leader)") == true, "\(r.errorText ?? "")")
    }

    // MARK: put ... fails

    @Test func aRedirectIsNotAFailedWrite() {
        let r = run("""
            cluster 5 seed 6
            put x 1
            let F = follower
            expect put x 2 via $F fails
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.seen?.contains("without trying to commit the write, which is a redirect") == true, "\(r.errorText ?? "")")
        #expect(r.failure?.seen?.contains("fails with not-leader") == true)
    }

    @Test func failsWithNamesTheReason() {
        let passing = run("""
            cluster 5 seed 6
            put x 1
            let F = follower
            expect put x 2 via $F fails with not-leader
            let L = leader
            isolate $L
            expect put x 3 via $L timeout 200ms fails with no-quorum
            """)
        #expect(passing.status == .passed, "\(passing.errorText ?? "")")
        let wrongReason = run("""
            cluster 5 seed 6
            put x 1
            let F = follower
            expect put x 2 via $F fails with timeout
            """)
        #expect(wrongReason.status == .failed)
    }

    @Test func aWriteThatCommitsDoesNotFail() {
        let r = run("""
            cluster 3 seed 7
            put x 1
            expect put x 2 fails
            """)
        #expect(r.status == .failed)
        #expect(r.failure?.seen?.hasPrefix("put x succeeded at index 3") == true, "\(r.errorText ?? "")")
    }

    // MARK: lines that change nothing say so

    @Test func linesThatChangeNothingSaySo() {
        let r = run("""
            cluster 5 seed 8
            put x 1
            fail 2
            fail 2
            resume 3
            restart all
            restart all
            pause 3
            restart 3
            pause 3
            isolate 4
            isolate 4
            heal
            heal
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        let answers = r.output.map { $0.replacingOccurrences(of: #"  \[t=[0-9.]+s\]$"#, with: "", options: .regularExpression) }
        #expect(Array(answers.dropFirst(2)) == [
            answers[2],  // node 2 crashed (and whether it led)
            "node 2 is already down",
            "node 3 is not paused",
            answers[5],  // node 2 restarted (term, log)
            "no node is down",
            "node 3 paused",
            "node 3 is paused, not down: `resume 3` unfreezes it",
            "node 3 is already paused",
            "node 4 isolated",
            "node 4 is already isolated",
            "healed: no cuts, no link faults",
            "nothing to heal: no cuts, no link faults",
        ])
        #expect(answers[2].hasPrefix("node 2 crashed"))
        #expect(answers[5].hasPrefix("node 2 restarted (term "))
    }

    // MARK: what raftsh run prints

    @Test func linesWrittenToBeSeenAreShown() {
        let r = run("""
            cluster 3 seed 9
            put x 1
            echo hello
            status
            faults
            log 1
            history
            report
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.shown.first == "hello")
        #expect(r.shown.contains { $0.hasPrefix("node  role") })
        #expect(r.shown.contains { $0.hasPrefix("no cuts, no link faults") })
        #expect(r.shown.contains { $0.hasPrefix("log of node 1") })
        #expect(r.shown.contains { $0.hasPrefix("#0") })
        #expect(r.shown.last?.hasPrefix("no workload has run yet") == true)
        // The answer of `put` is not among them.
        #expect(!r.shown.contains { $0.hasPrefix("ok ") })
        #expect(r.output.contains { $0.hasPrefix("ok ") })
    }

    // MARK: values print escaped

    @Test func valuesWithNewlinesAndControlsPrintEscaped() {
        let r = run("""
            cluster 3 seed 10
            put y "a\\nb\\tc"
            get y
            log 1
            history
            """)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
        #expect(r.output[2].hasPrefix(#""a\nb\tc"  index"#), "\(r.output[2])")
        #expect(r.output[3].contains(#"put y "a\nb\tc"  (client"#), "\(r.output[3])")
        #expect(r.output[4].contains(#"-> "a\nb\tc""#), "\(r.output[4])")
        for line in r.output.dropFirst() {
            #expect(!line.contains("\t"), "a raw tab in \(line.debugDescription)")
        }
    }
}
