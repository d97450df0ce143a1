import Testing
@testable import Scenario

@Suite struct RoundTripTests {
    static let corpus = """
        put x 1
        put user:1/a-b "two words" via 2 timeout 1500ms
        put k "" timeout 1s
        put k "a # b"
        put k "quote \\" and \\\\ backslash\\n"
        put k none
        put k 1..2
        put k 30%
        get x via leader
        delete x timeout 2m
        fail leader
        fail 1,2
        fail 1..3
        restart all
        pause followers
        resume $L
        partition $L,follower | rest
        partition 1 | 2 | 3,4,5
        isolate 3
        block 1,2 -> 3
        heal
        drop 30%
        drop 2.5% on 1 -> 2
        duplicate 0% leader -> followers
        delay 10ms..200ms
        delay 5ms 1 -> 2
        wait 2s
        wait 1.5s
        wait until leader within 2s
        wait until leader != $L within 5s
        wait until get x == "hello world"
        expect leader
        expect leader in 3,4,5
        expect leader == follower
        expect no leader in 1,2
        expect no leader
        expect get x == 1
        expect get x == none
        expect get x == "none"
        expect get x via 3 timeout 1s == 1
        expect get x via $L fails
        expect put x 2 fails
        expect put x "a b" via 1 timeout 2s fails
        expect cas x 1 2 fails
        expect cas x 1 "a b" via 1 timeout 2s fails with mismatch
        expect cas x 1 2 fails with no-quorum
        expect role 3 == follower
        expect role 1,2 != precandidate
        expect term >= 2
        expect term > $T
        expect converged
        expect applied x == 1 on 1,2,3
        expect applied x == none on all
        expect linearizable
        expect invariants
        expect unanswered == 0
        expect metric latency.p99 < 50ms
        expect metric throughput >= 0.25
        expect metric loss <= 5%
        expect metric big > 1e+20
        workload start clients 8 requests 500 ratio 0.8 keys 16 rate 100/s
        workload start clients 1 rate 0.5/s
        workload stop
        report
        status
        log 3
        trace on
        trace off
        history
        echo hello, world | and = more
        echo "# not a comment"
        echo "  padded  "
        echo
        help
        help expect get
        let L = leader
        let T = term
        let G = 1,2,leader
        repeat 3
          fail leader
          repeat 2
            wait 1s
          end
          restart all
        end
        repeat 1
        end
        save session.scn
        save "my session.scn"
        expect put x 2 via 1 fails with not-leader
        expect put x 2 fails with no-quorum
        expect get x timeout 1s fails with timeout
        cluster 5 seed 42 election 150ms..300ms heartbeat 50ms latency 1ms..5ms
        cluster 3 udp
        cluster 5 latency 2ms seed 0
        """

    static let options = ParserOptions(knownVariables: ["L", "T"])

    @Test func printThenParseGivesTheSameScript() throws {
        let first = try Parser.parse(Self.corpus, file: "a.scn", options: Self.options)
        #expect(first.statements.count > 80)
        let printed = first.sourceText
        let second = try Parser.parse(printed, file: "b.scn", options: Self.options)
        #expect(second.strippingLocations() == first.strippingLocations())
        // Canonical text is a fixed point.
        #expect(second.sourceText == printed)
    }

    @Test func eachStatementRoundTripsOnItsOwnLine() throws {
        let script = try Parser.parse(Self.corpus, file: "a.scn", options: Self.options)
        for statement in script.statements {
            let again = try Parser.parseLine(statement.sourceText, options: ParserOptions(knownVariables: ["L", "T", "G"]))
            #expect(again.map { $0.strippingLocations() } == [statement.strippingLocations()], "\(statement.sourceText)")
        }
    }

    @Test func canonicalForms() throws {
        func canonical(_ line: String) throws -> String {
            try Parser.parse(line, file: "c.scn", options: Self.options).sourceText
        }
        #expect(try canonical("put   x    1   # c") == "put x 1\n")
        #expect(try canonical("put x 1 timeout 1s via 2") == "put x 1 via 2 timeout 1s\n")
        #expect(try canonical("partition 1,2|3,4,5") == "partition 1,2 | 3,4,5\n")
        #expect(try canonical("partition 1..2 | 3..5") == "partition 1,2 | 3,4,5\n")
        #expect(try canonical("block 1->2") == "block 1 -> 2\n")
        #expect(try canonical("drop 30% on 1 -> 2") == "drop 30% 1 -> 2\n")
        #expect(try canonical("delay 10ms..10ms") == "delay 10ms\n")
        #expect(try canonical("wait 1500ms") == "wait 1500ms\n")
        #expect(try canonical("wait 120s") == "wait 2m\n")
        #expect(try canonical("cluster 5 udp seed 3") == "cluster 5 seed 3 udp\n")
        #expect(try canonical("expect get x == 1 via 2") == "expect get x via 2 == 1\n")
        #expect(try canonical("put x \"plain\"") == "put x plain\n")
        #expect(try canonical("echo \"plain text\"") == "echo plain text\n")
        #expect(try canonical("repeat 2\nput x 1\nend") == "repeat 2\n  put x 1\nend\n")
    }

    @Test func quoting() {
        #expect(Literals.quoteIfNeeded("abc") == "abc")
        #expect(Literals.quoteIfNeeded("1.5s") == "1.5s")
        #expect(Literals.quoteIfNeeded("a b") == "\"a b\"")
        #expect(Literals.quoteIfNeeded("") == "\"\"")
        #expect(Literals.quoteIfNeeded("$x") == "\"$x\"")
        #expect(Literals.quoteIfNeeded("a,b") == "\"a,b\"")
        #expect(Literals.quoteIfNeeded("a#b") == "\"a#b\"")
        #expect(Literals.quoteIfNeeded("x=1") == "\"x=1\"")
        #expect(Literals.quoteIfNeeded("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"")
    }
}
