import Testing
@testable import Scenario

@Suite struct LexerTests {
    func lex(_ source: String) throws(ParseError) -> [TokenKind] {
        try Lexer(source: source, file: "t.scn").tokenize().map(\.kind)
    }

    @Test func durations() throws {
        #expect(try lex("150ms 2s 1m 500us 1.5s 10ns 1h 3µs") == [
            .duration(150 * ms), .duration(2 * sec), .duration(60 * sec), .duration(500_000),
            .duration(1_500 * ms), .duration(10), .duration(3_600 * sec), .duration(3_000), .endOfInput,
        ])
        #expect(Literals.parseDuration("0.5ms") == 500_000)
        #expect(Literals.parseDuration("2") == nil)
        #expect(Literals.parseDuration("2x") == nil)
        #expect(Literals.parseDuration("1.s") == nil)
        #expect(Literals.parseDuration(".5s") == nil)
        #expect(Literals.parseDuration("1.0000000001ms") == nil) // finer than a nanosecond
        #expect(Literals.parseDuration("99999999999999999999s") == nil) // overflow
        #expect(Literals.parseDuration("18446744073709551615ns") == UInt64.max)
    }

    @Test func formatDurations() {
        #expect(Literals.formatDuration(150 * ms) == "150ms")
        #expect(Literals.formatDuration(1_500 * ms) == "1500ms")
        #expect(Literals.formatDuration(120 * sec) == "2m")
        #expect(Literals.formatDuration(90 * sec) == "90s")
        #expect(Literals.formatDuration(0) == "0s")
        #expect(Literals.formatDuration(7) == "7ns")
        #expect(Literals.formatDuration(500_000) == "500us")
    }

    @Test func rangesPercentagesNumbers() throws {
        #expect(try lex("150ms..300ms 1..20 30% 2.5% 42 -1 0.8 1e-07") == [
            .durationRange(150 * ms, 300 * ms), .integerRange(1, 20), .percent(30), .percent(2.5),
            .integer(42), .integer(-1), .decimal(0.8), .decimal(1e-7), .endOfInput,
        ])
        // Shapes that are not numbers stay words; the parser reports them in context.
        #expect(try lex("2x 1..2s 30%% 1.2.3 99999999999999999999") == [
            .word("2x"), .word("1..2s"), .word("30%%"), .word("1.2.3"), .word("99999999999999999999"), .endOfInput,
        ])
    }

    @Test func punctuationAndWords() throws {
        #expect(try lex("partition 1,2|3 block 1->2 x==1 a!=b < <= > >= = $L user:1/a-b_c.d") == [
            .word("partition"), .integer(1), .comma, .integer(2), .pipe, .integer(3),
            .word("block"), .integer(1), .arrow, .integer(2),
            .word("x"), .compare(.equal), .integer(1), .word("a"), .compare(.notEqual), .word("b"),
            .compare(.less), .compare(.lessOrEqual), .compare(.greater), .compare(.greaterOrEqual), .assign,
            .variable("L"), .word("user:1/a-b_c.d"), .endOfInput,
        ])
    }

    @Test func stringsCommentsNewlines() throws {
        #expect(try lex("put k \"two words # not a comment\" # comment\r\nget \"a\\\"b\\\\c\\n\"\rx") == [
            .word("put"), .word("k"), .string("two words # not a comment"), .newline,
            .word("get"), .string("a\"b\\c\n"), .newline, .word("x"), .endOfInput,
        ])
    }

    @Test func locations() throws {
        let tokens = try Lexer(source: "# c\n  put  x 1", file: "f.scn").tokenize()
        let put = try #require(tokens.first { $0.kind == .word("put") })
        #expect(put.location == SourceLocation(file: "f.scn", line: 2, column: 3))
        #expect(put.endColumn == 6)
        let one = try #require(tokens.first { $0.kind == .integer(1) })
        #expect(one.location.column == 10)
    }

    @Test func echoTakesTheRestOfTheLine() throws {
        #expect(try lex("echo hello, world | x=1  # comment") == [.word("echo"), .text("hello, world | x=1"), .endOfInput])
        #expect(try lex("echo \"a # b\"") == [.word("echo"), .string("a # b"), .endOfInput])
        #expect(try lex("echo") == [.word("echo"), .endOfInput])
        #expect(try lex("put x echo, 1") == [.word("put"), .word("x"), .word("echo"), .comma, .integer(1), .endOfInput])
    }

    func lexError(_ source: String) -> ParseError? {
        do {
            _ = try lex(source)
            return nil
        } catch {
            return error
        }
    }

    @Test func lexErrors() throws {
        let unterminated = try #require(lexError("put x \"abc"))
        #expect(unterminated.location == SourceLocation(file: "t.scn", line: 1, column: 7))
        #expect(unterminated.message == "unterminated string")
        let escape = try #require(lexError("x\n  get \"a\\qb\""))
        #expect(escape.location == SourceLocation(file: "t.scn", line: 2, column: 9))
        let dollar = try #require(lexError("expect leader != $ "))
        #expect(dollar.location.column == 18)
        #expect(dollar.message == "expected a variable name after '$'")
    }
}
