import Testing
@testable import Scenario

@Suite struct ParserTests {
    @Test func basicLinesExactly() throws {
        #expect(try kinds("put x 1") == [.put(key: "x", value: "1", options: ClientOptions())])
        #expect(try kinds("get x") == [.get(key: "x", options: ClientOptions())])
        #expect(try kinds("fail leader") == [.fail(.leader)])
        #expect(try kinds("partition 1,2 | 3,4,5") == [.partition([.ids([1, 2]), .ids([3, 4, 5])])])
        #expect(try kinds("wait 2s") == [.wait(2 * sec)])
        #expect(try kinds("expect get x == 1") == [.expect(.get(key: "x", options: ClientOptions(), equals: .value("1")))])
        #expect(try kinds("expect linearizable") == [.expect(.linearizable)])
    }

    static let designExample = """
        # The old leader ends up in the minority; it must not serve a stale read.
        cluster 5 seed 7
        wait until leader within 2s
        put x 1
        let L = leader
        partition $L,follower | rest
        put x 2                          # the majority side commits
        expect get x == 2
        expect get x via $L fails        # the old leader cannot confirm leadership
        heal
        wait until converged within 3s
        expect applied x == 2 on all
        expect linearizable

        """

    @Test func designExampleScenario() throws {
        let script = try Parser.parse(Self.designExample, file: "stale-leader-no-stale-read.scn")
        #expect(script.statements.map(\.kind) == [
            .cluster(ClusterConfig(nodes: 5, seed: 7)),
            .waitUntil(.leader(in: nil), within: 2 * sec),
            .put(key: "x", value: "1", options: ClientOptions()),
            .letBinding(name: "L", value: .nodes(.leader)),
            .partition([.union([.variable("L"), .follower]), .rest]),
            .put(key: "x", value: "2", options: ClientOptions()),
            .expect(.get(key: "x", options: ClientOptions(), equals: .value("2"))),
            .expect(.getFails(key: "x", options: ClientOptions(via: .variable("L")))),
            .heal,
            .waitUntil(.converged, within: 3 * sec),
            .expect(.applied(key: "x", equals: .value("2"), on: .all)),
            .expect(.linearizable),
        ])
        #expect(script.statements.map(\.location.line) == Array(2...13))
        #expect(script.statements.allSatisfy { $0.location.column == 1 && $0.location.file == "stale-leader-no-stale-read.scn" })
        // The docs show the same scenario.
        #expect(DocsGenerator.exampleScenario == Self.designExample)
    }

    @Test func cluster() throws {
        #expect(try kinds("cluster 5 seed 42 election 150ms..300ms heartbeat 50ms latency 1ms..5ms") == [
            .cluster(ClusterConfig(nodes: 5, seed: 42, election: 150 * ms...300 * ms, heartbeat: 50 * ms, latency: ms...5 * ms)),
        ])
        #expect(try kinds("cluster 3 udp") == [.cluster(ClusterConfig(nodes: 3, transport: .udp))])
        var disk = ClusterConfig(nodes: 3)
        disk.disk = ms...5 * ms
        #expect(try kinds("cluster 3 disk 1ms..5ms") == [.cluster(disk)])
        #expect(disk.sourceText == "cluster 3 disk 1ms..5ms")
        do {
            _ = try Parser.parse("cluster 3 disk 1ms..5ms udp", file: "t.scn")
            Issue.record("a udp cluster with simulated disks parsed")
        } catch {
            #expect(error.message.contains("disk sets the write time of simulated disks"))
            #expect(error.location.column == 11)
        }
        var writes = ClusterConfig(nodes: 3, transport: .udp)
        writes.backgroundWrites = true
        #expect(try kinds("cluster 3 background-writes udp") == [.cluster(writes)])
        #expect(writes.sourceText == "cluster 3 udp background-writes")
        for (line, column, why) in [("cluster 3 background-writes", 11, "simulated nodes write in the background with 'disk D..D'"),
                                    ("cluster 3 exec \"x\" background-writes", 20, "exec nodes write as their command does")] {
            do {
                _ = try Parser.parse(line, file: "t.scn")
                Issue.record("\(line) parsed")
            } catch {
                #expect(error.message.contains("write 'udp background-writes'") && error.message.contains(why), "\(error.message)")
                #expect(error.location.column == column)
            }
        }
        #expect(try kinds("cluster 7 udp seed 18446744073709551615") == [
            .cluster(ClusterConfig(nodes: 7, seed: UInt64.max, transport: .udp)),
        ])
    }

    @Test func clientOperations() throws {
        #expect(try kinds("put k hello via 2 timeout 1s") == [
            .put(key: "k", value: "hello", options: ClientOptions(via: .ids([2]), timeout: sec)),
        ])
        #expect(try kinds("put user:1/a \"two words\" timeout 500ms via leader") == [
            .put(key: "user:1/a", value: "two words", options: ClientOptions(via: .leader, timeout: 500 * ms)),
        ])
        #expect(try kinds("put x 007") == [.put(key: "x", value: "007", options: ClientOptions())])
        #expect(try kinds("delete x via follower") == [.delete(key: "x", options: ClientOptions(via: .follower))])
    }

    @Test func faults() throws {
        #expect(try kinds("fail 1,2") == [.fail(.ids([1, 2]))])
        #expect(try kinds("restart all") == [.restart(.all)])
        #expect(try kinds("pause 3\nresume 3") == [.pause(.ids([3])), .resume(.ids([3]))])
        #expect(try kinds("partition leader | rest") == [.partition([.leader, .rest])])
        #expect(try kinds("partition 1..2|3..5") == [.partition([.ids([1, 2]), .ids([3, 4, 5])])])
        #expect(try kinds("partition 1 | 2 | 3,4,5") == [.partition([.ids([1]), .ids([2]), .ids([3, 4, 5])])])
        #expect(try kinds("isolate 3") == [.isolate(.ids([3]))])
        #expect(try kinds("block 1 -> 2") == [.block(Link(from: .ids([1]), to: .ids([2])))])
        #expect(try kinds("block leader->followers") == [.block(Link(from: .leader, to: .followers))])
        #expect(try kinds("heal") == [.heal])
        #expect(try kinds("drop 30%") == [.drop(percent: 30, link: nil)])
        #expect(try kinds("drop 30% 1 -> 2") == [.drop(percent: 30, link: Link(from: .ids([1]), to: .ids([2])))])
        #expect(try kinds("drop 30% on 1 -> 2") == [.drop(percent: 30, link: Link(from: .ids([1]), to: .ids([2])))])
        #expect(try kinds("duplicate 5%") == [.duplicate(percent: 5, link: nil)])
        #expect(try kinds("delay 10ms..200ms") == [.delay(10 * ms...200 * ms, link: nil)])
        #expect(try kinds("delay 10ms 2 -> 1") == [.delay(10 * ms...10 * ms, link: Link(from: .ids([2]), to: .ids([1])))])
        #expect(try kinds("fail follower,follower") == [.fail(.union([.follower, .follower]))])
        #expect(try kinds("fail 1,leader,2") == [.fail(.union([.ids([1]), .leader, .ids([2])]))])
    }

    @Test func conditions() throws {
        let pairs: [(String, Condition)] = [
            ("leader", .leader(in: nil)),
            ("leader in 3,4,5", .leader(in: .ids([3, 4, 5]))),
            ("leader != $L", .leaderIs(.notEqual, .variable("L"))),
            ("leader == 2", .leaderIs(.equal, .ids([2]))),
            ("no leader", .noLeader(in: nil)),
            ("no leader in 1,2", .noLeader(in: .ids([1, 2]))),
            ("get x == none", .get(key: "x", options: ClientOptions(), equals: .none)),
            ("get x == \"none\"", .get(key: "x", options: ClientOptions(), equals: .value("none"))),
            ("get x via 3 == 1", .get(key: "x", options: ClientOptions(via: .ids([3])), equals: .value("1"))),
            ("get x == 1 via 3 timeout 1s", .get(key: "x", options: ClientOptions(via: .ids([3]), timeout: sec), equals: .value("1"))),
            ("get x fails", .getFails(key: "x", options: ClientOptions())),
            ("get x via $L fails", .getFails(key: "x", options: ClientOptions(via: .variable("L")))),
            ("put x 2 fails", .putFails(key: "x", value: "2", options: ClientOptions())),
            ("put x 2 via 1 fails timeout 2s", .putFails(key: "x", value: "2", options: ClientOptions(via: .ids([1]), timeout: 2 * sec))),
            ("put x 2 via 1 fails with not-leader", .putFails(key: "x", value: "2", options: ClientOptions(via: .ids([1])), reason: .notLeader)),
            ("put x 2 fails with no-quorum timeout 1s", .putFails(key: "x", value: "2", options: ClientOptions(timeout: sec), reason: .noQuorum)),
            ("get x via 2 fails with timeout", .getFails(key: "x", options: ClientOptions(via: .ids([2])), reason: .timeout)),
            ("role 3 == follower", .role(.ids([3]), .equal, .follower)),
            ("role followers != leader", .role(.followers, .notEqual, .leader)),
            ("term >= 2", .term(.greaterOrEqual, .literal(2))),
            ("term > $T", .term(.greater, .variable("T"))),
            ("converged", .converged),
            ("applied x == 1 on 1,2,3", .applied(key: "x", equals: .value("1"), on: .ids([1, 2, 3]))),
            ("linearizable", .linearizable),
            ("invariants", .invariants),
            ("unanswered == 0", .unanswered(.equal, 0)),
            ("metric latency.p99 < 50ms", .metric(name: "latency.p99", .less, .duration(50 * ms))),
            ("metric wrong_gets == 0", .metric(name: "wrong_gets", .equal, .number(0))),
            ("metric throughput >= 12.5", .metric(name: "throughput", .greaterOrEqual, .number(12.5))),
            ("metric loss <= 5%", .metric(name: "loss", .lessOrEqual, .percent(5))),
        ]
        let options = ParserOptions(knownVariables: ["L", "T"])
        for (text, condition) in pairs {
            #expect(try kinds("expect " + text, options: options) == [.expect(condition)], "expect \(text)")
            // A condition that writes is checked once, never polled.
            if condition.writes { continue }
            #expect(try kinds("wait until " + text, options: options) == [.waitUntil(condition, within: nil)], "wait until \(text)")
            #expect(try kinds("wait until " + text + " within 5s", options: options) == [.waitUntil(condition, within: 5 * sec)])
        }
    }

    @Test func workloadAndInspection() throws {
        #expect(try kinds("workload start clients 8 requests 500 ratio 0.8 keys 16 rate 100/s") == [
            .workloadStart(WorkloadConfig(clients: 8, requests: 500, ratio: 0.8, keys: 16, rate: 100)),
        ])
        #expect(try kinds("workload start rate 50 clients 2") == [.workloadStart(WorkloadConfig(clients: 2, rate: 50))])
        #expect(try kinds("workload stop\nreport\nstatus\nhistory") == [.workloadStop, .report, .status, .history])
        #expect(try kinds("log 3\nlog leader") == [.log(.ids([3])), .log(.leader)])
        #expect(try kinds("trace on\ntrace off") == [.trace(true), .trace(false)])
        #expect(try kinds("echo  hello,  world | x # c") == [.echo("hello,  world | x")])
        #expect(try kinds("echo \"# kept\"") == [.echo("# kept")])
        #expect(try kinds("echo") == [.echo("")])
        #expect(try kinds("help\nhelp expect\nhelp wait until\nhelp selectors") == [
            .help(nil), .help("expect"), .help("wait until"), .help("selectors"),
        ])
        #expect(try kinds("let L = leader\nlet T = term\nlet G = 1,2\nlet F = follower") == [
            .letBinding(name: "L", value: .nodes(.leader)), .letBinding(name: "T", value: .term),
            .letBinding(name: "G", value: .nodes(.ids([1, 2]))), .letBinding(name: "F", value: .nodes(.follower)),
        ])
        #expect(try kinds("save session.scn\nsave \"my file.scn\"") == [.save("session.scn"), .save("my file.scn")])
    }

    @Test func repeatBlocksNest() throws {
        let source = """
            repeat 3
              fail leader
              repeat 2   # inner
                wait 1s
              end
            end
            status
            """
        let script = try Parser.parse(source, file: "r.scn")
        let inner = Statement(location: SourceLocation(file: "r.scn", line: 3, column: 3), kind: .repeatBlock(count: 2, body: [
            Statement(location: SourceLocation(file: "r.scn", line: 4, column: 5), kind: .wait(sec)),
        ]))
        #expect(script.statements == [
            Statement(location: SourceLocation(file: "r.scn", line: 1, column: 1), kind: .repeatBlock(count: 3, body: [
                Statement(location: SourceLocation(file: "r.scn", line: 2, column: 3), kind: .fail(.leader)),
                inner,
            ])),
            Statement(location: SourceLocation(file: "r.scn", line: 7, column: 1), kind: .status),
        ])
    }

    @Test func clusterSizeFollowsTheLatestClusterLine() throws {
        #expect(try kinds("fail 7", options: ParserOptions(defaultNodes: 7)) == [.fail(.ids([7]))])
        #expect(try kinds("cluster 9\nfail 9\ncluster 3\nfail 3") == [
            .cluster(ClusterConfig(nodes: 9)), .fail(.ids([9])), .cluster(ClusterConfig(nodes: 3)), .fail(.ids([3])),
        ])
    }

    @Test func variablesComeFromLetOrOptions() throws {
        #expect(try kinds("expect leader != $L", options: ParserOptions(knownVariables: ["L"])) == [
            .expect(.leaderIs(.notEqual, .variable("L"))),
        ])
        #expect(try kinds("let L = leader\nfail $L") == [.letBinding(name: "L", value: .nodes(.leader)), .fail(.variable("L"))])
    }

    @Test func parseLineForTheShell() throws {
        #expect(try Parser.parseLine("   # only a comment") == [])
        let statements = try Parser.parseLine("put x 1", file: "<prompt>", line: 12)
        #expect(statements == [Statement(location: SourceLocation(file: "<prompt>", line: 12, column: 1),
                                         kind: .put(key: "x", value: "1", options: ClientOptions()))])
        let block = try Parser.parseLine("repeat 2\nput x 1\nend", line: 4)
        #expect(block.count == 1)
        #expect(block.first?.location.line == 4)
        do {
            _ = try Parser.parseLine("fail 4", line: 3, options: ParserOptions(defaultNodes: 3))
            Issue.record("fail 4 on 3 nodes parsed")
        } catch {
            #expect(error.location == SourceLocation(file: "<prompt>", line: 3, column: 6))
        }
    }

    @Test func needsMoreInput() {
        #expect(!Parser.needsMoreInput("put x 1"))
        #expect(Parser.needsMoreInput("repeat 3"))
        #expect(Parser.needsMoreInput("repeat 3\n  put x 1"))
        #expect(Parser.needsMoreInput("repeat 3\n  repeat 2\n  end"))
        #expect(!Parser.needsMoreInput("repeat 3\n  repeat 2\n  end\nend"))
        #expect(!Parser.needsMoreInput("end"))
        #expect(!Parser.needsMoreInput("echo repeat"))
        #expect(Parser.needsMoreInput("repeat 2 # comment\nput x \"unterminated"))
    }
}
