import Testing
@testable import Scenario

@Suite struct ParseErrorTests {
    struct Case: CustomStringConvertible, Sendable {
        var source: String
        var line: Int
        var column: Int
        var message: String
        var defaultNodes = 5
        var description: String { source }
    }

    static let cases: [Case] = [
        // unknown command
        Case(source: "pu x 1", line: 1, column: 1, message: "unknown command 'pu'; did you mean 'put'?"),
        Case(source: "cluster 3\n\n  expct leader", line: 3, column: 3, message: "unknown command 'expct'; did you mean 'expect'?"),
        Case(source: "frobnicate", line: 1, column: 1, message: "unknown command 'frobnicate'"),
        Case(source: "42 x", line: 1, column: 1, message: "expected a command, found '42'"),
        Case(source: "expect lineariable", line: 1, column: 8, message: "unknown condition 'lineariable'; did you mean 'linearizable'?"),
        Case(source: "workload begin clients 2", line: 1, column: 10, message: "unknown workload command 'begin'"),
        // wrong arity
        Case(source: "put x", line: 1, column: 6, message: "missing VALUE for 'put'"),
        Case(source: "get", line: 1, column: 4, message: "missing KEY for 'get'"),
        Case(source: "get x y", line: 1, column: 7, message: "unexpected 'y'"),
        Case(source: "heal now", line: 1, column: 6, message: "too many arguments for 'heal': unexpected 'now'"),
        Case(source: "fail", line: 1, column: 5, message: "missing NODES for 'fail'"),
        Case(source: "partition 1,2", line: 1, column: 14, message: "'partition' needs at least two groups separated by '|'"),
        Case(source: "block 1 2", line: 1, column: 9, message: "expected '->', found '2'"),
        Case(source: "expect get x", line: 1, column: 13, message: "missing '== VALUE' or 'fails' for 'expect'"),
        Case(source: "expect put x 1", line: 1, column: 15, message: "missing 'fails' for 'expect'"),
        Case(source: "workload start", line: 1, column: 15, message: "missing 'clients N' for 'workload start'"),
        Case(source: "repeat 2 times\nend", line: 1, column: 10, message: "too many arguments for 'repeat': unexpected 'times'"),
        // malformed number, duration, percentage
        Case(source: "repeat x\nend", line: 1, column: 8, message: "malformed number 'x' for the repeat count"),
        Case(source: "cluster 5x", line: 1, column: 9, message: "malformed number '5x' for the number of nodes"),
        Case(source: "cluster 0", line: 1, column: 9, message: "the number of nodes must be from 1 to 64, not 0"),
        Case(source: "wait 2x", line: 1, column: 6, message: "malformed duration '2x'"),
        Case(source: "wait 2", line: 1, column: 6, message: "malformed duration '2': missing unit (ns, us, ms, s, m, h)"),
        Case(source: "wait until leader within 1.2.3s", line: 1, column: 26, message: "malformed duration '1.2.3s'"),
        Case(source: "cluster 5 election 300ms..150ms", line: 1, column: 20, message: "range '300ms..150ms' goes backwards"),
        Case(source: "delay 10..20", line: 1, column: 7, message: "malformed duration range '10..20': missing unit (ns, us, ms, s, m, h)"),
        Case(source: "drop 30", line: 1, column: 6, message: "malformed percentage '30': missing '%'"),
        Case(source: "drop 150%", line: 1, column: 6, message: "percentage 150% is above 100%"),
        Case(source: "duplicate x%", line: 1, column: 11, message: "malformed percentage 'x%'"),
        Case(source: "workload start clients 2 ratio 1.5", line: 1, column: 32, message: "the get ratio must be from 0 to 1, not 1.5"),
        Case(source: "expect term >= two", line: 1, column: 16, message: "malformed number 'two'"),
        // node id out of range
        Case(source: "fail 9", line: 1, column: 6, message: "node 9 is out of range: the cluster has 5 nodes"),
        Case(source: "cluster 3\nfail 4", line: 2, column: 6, message: "node 4 is out of range: the cluster has 3 nodes"),
        Case(source: "partition 1,2 | 3,0", line: 1, column: 19, message: "node 0 is out of range: the cluster has 5 nodes"),
        Case(source: "fail 2..6", line: 1, column: 6, message: "node 6 is out of range: the cluster has 5 nodes"),
        Case(source: "fail 1", line: 1, column: 6, message: "node 1 is out of range: the cluster has 0 nodes", defaultNodes: 0),
        Case(source: "fail 2,2", line: 1, column: 8, message: "node 2 is named twice"),
        Case(source: "partition 1,2 | 2,3", line: 1, column: 17, message: "node 2 is in two groups"),
        // overlapping groups, however they are written
        Case(source: "partition 1,2,3,4,5 | 1", line: 1, column: 23, message: "node 1 is in two groups"),
        Case(source: "let L = leader\npartition $L | all", line: 2, column: 16, message: "'all' names every node, so it overlaps the other groups"),
        Case(source: "partition all | rest", line: 1, column: 11, message: "'all' names every node, so it overlaps the other groups"),
        Case(source: "let L = leader\npartition $L | 1,$L", line: 2, column: 16, message: "'$L' overlaps '$L' in another group"),
        Case(source: "partition leader | follower,leader", line: 1, column: 20, message: "'leader' overlaps 'leader' in another group"),
        Case(source: "partition followers | follower", line: 1, column: 23, message: "'follower' overlaps 'followers' in another group"),
        Case(source: "partition leader | rest | rest", line: 1, column: 27, message: "'rest' overlaps 'rest' in another group"),
        // a condition that writes is not polled
        Case(source: "wait until put x 1 fails", line: 1, column: 12,
             message: "'wait until put ... fails' would write again at every poll, and a write that fails may still take effect"),
        Case(source: "expect put x 1 fails with crash", line: 1, column: 27, message: "unknown failure reason 'crash'"),
        Case(source: "expect cas x 1 2 fails with crash", line: 1, column: 29, message: "unknown failure reason 'crash'"),
        Case(source: "wait until cas x 1 2 fails", line: 1, column: 12,
             message: "'wait until cas ... fails' would write again at every poll, and a write that fails may still take effect"),
        // variables live until the next cluster line
        Case(source: "let L = leader\ncluster 3\nfail $L", line: 3, column: 6,
             message: "'$L' was bound before the `cluster` line on line 2, which starts a fresh cluster and forgets every variable"),
        Case(source: "get x via 1,2", line: 1, column: 11, message: "expected a single node, found '1,2'"),
        Case(source: "fail lead", line: 1, column: 6, message: "unknown node selector 'lead'; did you mean 'leader'?"),
        // blocks
        Case(source: "put x 1\nend", line: 2, column: 1, message: "'end' without an open 'repeat' block"),
        Case(source: "put x 1\nrepeat 2\n  repeat 3\n  end\n  put x 2\n", line: 2, column: 1, message: "'repeat' block is not closed"),
        Case(source: "repeat 2\n  repeat 3\n  put x 2", line: 2, column: 3, message: "'repeat' block is not closed"),
        // variables
        Case(source: "expect leader != $L", line: 1, column: 18, message: "unknown variable '$L'"),
        Case(source: "let Leader = leader\nfail $Leadr", line: 2, column: 6, message: "unknown variable '$Leadr'; did you mean '$Leader'?"),
        Case(source: "expect leader != $L\nlet L = leader", line: 1, column: 18, message: "unknown variable '$L'"),
        Case(source: "expect term > $T", line: 1, column: 15, message: "unknown variable '$T'"),
        Case(source: "partition $L,follower | rest", line: 1, column: 11, message: "unknown variable '$L'"),
        Case(source: "let $L = leader", line: 1, column: 5, message: "write the name without '$': let L = ..."),
        // others
        Case(source: "put x \"open", line: 1, column: 7, message: "unterminated string"),
        Case(source: "help nonsense", line: 1, column: 6, message: "no help for 'nonsense'"),
        Case(source: "trace maybe", line: 1, column: 7, message: "expected 'on' or 'off', found 'maybe'"),
        Case(source: "put a%b 1", line: 1, column: 5, message: "invalid key 'a%b'"),
        Case(source: "put x $V", line: 1, column: 7, message: "a variable cannot be used as VALUE"),
        Case(source: "expect role 1 == boss", line: 1, column: 18, message: "unknown role 'boss'"),
        Case(source: "expect role 1 < leader", line: 1, column: 15, message: "only '==' and '!=' apply here, not '<'"),
        Case(source: "cluster 5 sed 1", line: 1, column: 11, message: "unknown cluster option 'sed'; did you mean 'seed'?"),
        Case(source: "cluster 5 seed 1 seed 2", line: 1, column: 18, message: "'seed' given twice"),
        // the first error in source order wins, even when a later line does not lex
        Case(source: "pu x\nput x \"open", line: 1, column: 1, message: "unknown command 'pu'; did you mean 'put'?"),
    ]

    @Test(arguments: cases)
    func badInput(_ c: Case) throws {
        let error = try #require(parseError(c.source, options: ParserOptions(defaultNodes: c.defaultNodes)), "parsed: \(c.source)")
        #expect(error.location == SourceLocation(file: "t.scn", line: c.line, column: c.column), "\(error.render())")
        #expect(error.message == c.message, "\(error.render())")
        #expect(error.sourceLine == c.source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[c.line - 1])
        // Every error renders with a caret and never traps.
        #expect(error.render().contains("^"))
    }

    /// A parse error is one line and the caret block (the source line, the caret and what was
    /// expected after it): three lines in all.
    @Test func renderedErrorHasCaretUnderColumn() throws {
        let error = try #require(parseError("cluster 5\nput x 1\nfail 9\n"))
        #expect(error.render() == """
            t.scn:3:6: error: node 9 is out of range: the cluster has 5 nodes
            fail 9
                 ^ expected: a node id from 1 to 5
            """)
        let unknown = try #require(parseError("  pu x 1"))
        #expect(unknown.render() == """
            t.scn:1:3: error: unknown command 'pu'; did you mean 'put'?
              pu x 1
              ^ expected: a command such as cluster, put, get, fail, wait or expect; type 'help' for the list
            """)
        let missing = try #require(parseError("put x"))
        #expect(missing.render() == """
            t.scn:1:6: error: missing VALUE for 'put'
            put x
                 ^ expected: put KEY VALUE [via NODE] [timeout DURATION]
            """)
    }

    @Test func renderWithoutExpectedOrSourceLine() {
        let error = ParseError(location: SourceLocation(file: "a.scn", line: 2, column: 3), message: "boom")
        #expect(error.render() == "a.scn:2:3: error: boom")
        #expect(error.render(sourceLine: "\tab cd") == "a.scn:2:3: error: boom\n\tab cd\n\t ^")
        #expect(error.render(sourceLine: "") == "a.scn:2:3: error: boom\n\n  ^")
        #expect(error.description == error.render())
    }
}
