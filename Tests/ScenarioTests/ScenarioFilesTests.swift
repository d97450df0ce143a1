import Foundation
import Testing
@testable import Scenario

/// The repository's scenarios folder, found from this file's path.
let scenariosDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("scenarios").resolvingSymlinksInPath().path
}()

func scenarioFiles() -> [String] {
    ((try? ScenarioRunner.collect([scenariosDirectory])) ?? []).map {
        String($0.dropFirst(scenariosDirectory.count + 1))
    }
}

@Suite("Scenario files")
struct ScenarioFilesTests {
    @Test func thereAreAtLeastTwentyScenarios() {
        #expect(scenarioFiles().count >= 20)
    }

    /// Every file in scenarios/ is its own test case.
    @Test(arguments: scenarioFiles())
    func scenarioPasses(_ name: String) throws {
        let path = scenariosDirectory + "/" + name
        let source = try String(contentsOfFile: path, encoding: .utf8)
        #expect(source.hasPrefix("#"), "\(name) must start with a comment saying what it shows")
        let r = ScenarioRunner().run(file: name, source: source, seed: nil)
        #expect(r.status == .passed, "\(r.errorText ?? "")")
    }
}

@Suite("Runner")
struct RunnerTests {
    let passing = """
        # passes
        cluster 3 seed 5
        put x 1
        expect get x == 1
        """

    @Test func wrongExpectationFailsAtItsLine() {
        let src = """
            # a wrong expectation on line 4
            cluster 3 seed 5
            put x 1
              expect get x == 2
            put y 1
            """
        let r = ScenarioRunner().run(file: "wrong.scn", source: src, seed: nil)
        #expect(r.status == .failed)
        #expect(r.failure?.location == SourceLocation(file: "wrong.scn", line: 4, column: 3))
        #expect(r.failure?.expected == "2")
        #expect(r.failure?.seen == "get x = 1")
        #expect(r.errorText?.contains("wrong.scn:4:3: error: expectation failed: expect get x == 2") == true)
        #expect(r.errorText?.contains("with seed 5") == true)
        #expect(r.statements == 3, "stops at the failed line")
    }

    @Test func syntaxErrorIsAParseErrorWithLineAndColumn() {
        let r = ScenarioRunner().run(file: "bad.scn", source: "put x 1\nwait 2 seconds\n", seed: nil)
        #expect(r.status == .parseError)
        #expect(r.parseError?.location.line == 2)
        #expect(r.statements == 0, "nothing runs before the whole file parses")
    }

    @Test func sameSeedSameOutput() {
        let src = """
            # output is a function of (scenario, seed)
            cluster 5
            put x 1
            fail leader
            wait until leader within 3s
            get x
            status
            """
        let a = ScenarioRunner().run(file: "d.scn", source: src, seed: 9)
        let b = ScenarioRunner().run(file: "d.scn", source: src, seed: 9)
        let c = ScenarioRunner().run(file: "d.scn", source: src, seed: 10)
        #expect(a.output == b.output)
        #expect(a.steps == b.steps && a.clusterTime == b.clusterTime)
        #expect(a.output != c.output)
    }

    @Test func seedOverrideWinsOverTheFile() {
        let r = ScenarioRunner().run(file: "p.scn", source: passing, seed: 77)
        #expect(r.seed == 77)
        #expect(r.status == .passed)
    }

    @Test func assertionAboutADownNodeFailsCleanly() {
        let src = """
            cluster 3 seed 1
            put x 1
            fail 2
            expect applied x == 1 on 2
            """
        let r = ScenarioRunner().run(file: "down.scn", source: src, seed: nil)
        #expect(r.status == .failed)
        #expect(r.failure?.seen?.contains("node 2 is down") == true)
    }

    @Test func noLeaderFailsLinesThatNeedOne() {
        let src = """
            cluster 3 seed 1
            fail all
            fail leader
            """
        let r = ScenarioRunner().run(file: "nl.scn", source: src, seed: nil)
        #expect(r.failure?.message == "no leader")
        #expect(r.failure?.location.line == 3)
    }

    @Test func saveIsRefusedInFiles() {
        let r = ScenarioRunner().run(file: "s.scn", source: "save x.scn\n", seed: nil)
        #expect(r.status == .failed)
        #expect(r.failure?.message.contains("prompt only") == true)
    }

    @Test func followerPicksAreDistinctAndRestIsTheRest() throws {
        let exec = Executor()
        let script = try Parser.parse("cluster 5 seed 3\nput x 1\npartition leader,follower | follower | rest\n", file: "f")
        for s in script.statements.prefix(2) { try exec.execute(s) }
        let groups = try ExecutionContext(executor: exec, statement: script.statements[2])
            .resolveLine([.union([.leader, .follower]), .follower, .rest])
        let all = groups.flatMap { $0 }
        #expect(Set(all).count == 5 && all.count == 5)
        #expect(groups[0].count == 2 && groups[1].count == 1 && groups[2].count == 2)
    }

    @Test func junitReportNamesFailures() {
        let ok = ScenarioRunner().run(file: "ok.scn", source: passing, seed: nil)
        let bad = ScenarioRunner().run(file: "bad.scn", source: "cluster 3 seed 1\nexpect get x == 1\n", seed: nil)
        let xml = JUnitReport.xml([ok, bad])
        #expect(xml.contains("tests=\"2\" failures=\"1\" errors=\"0\""))
        #expect(xml.contains("<failure message=\"expectation failed: expect get x == 1\">"))
    }
}
