// Clauses several commands and conditions share: client options, `WORD VALUE` options,
// comparisons and the operands compared.

extension LineParser {
    /// `[via NODE] [timeout DURATION]`, each at most once, in any order; adds to `initial`.
    mutating func parseClientOptions(_ initial: ClientOptions = ClientOptions()) throws(ParseError) -> ClientOptions {
        var options = initial
        while true {
            trailing = (options.via == nil ? ["'via'"] : []) + (options.timeout == nil ? ["'timeout'"] : [])
            guard let word = peekWord(), word == "via" || word == "timeout", let keyword = next() else { break }
            if word == "via" {
                guard options.via == nil else {
                    throw failure("'via' given twice", at: keyword.location, expected: trailingText)
                }
                options.via = try parseSelector("NODE after 'via'", single: true).selector
            } else {
                guard options.timeout == nil else {
                    throw failure("'timeout' given twice", at: keyword.location, expected: trailingText)
                }
                options.timeout = try parseDuration("DURATION after 'timeout'", positive: true)
            }
        }
        return options
    }

    /// The next of the `WORD VALUE` options drawn from `names` (given in any order, each at most
    /// once, up to the end of the line or the first token that is not a word), consumed and added
    /// to `seen`; the caller then reads its value. Nil when no option follows. Unknown words are
    /// errors naming `kind` ("unknown cluster option 'x'").
    mutating func nextOption(_ names: [String], of kind: String, seen: inout Set<String>) throws(ParseError) -> String? {
        trailing = names.filter { !seen.contains($0) }.map { "'\($0)'" }
        guard let token = peek, case .word(let word) = token.kind else { return nil }
        guard names.contains(word) else {
            throw failure("unknown \(kind) option '\(word)'" + Suggestions.hint(for: word, among: names),
                          at: token.location, expected: trailingText)
        }
        guard seen.insert(word).inserted else {
            throw failure("'\(word)' given twice", at: token.location, expected: trailingText)
        }
        position += 1
        return word
    }

    /// A comparison operator; only `==` and `!=` when `equalityOnly`.
    mutating func parseOperator(equalityOnly: Bool) throws(ParseError) -> ComparisonOperator {
        let expected = equalityOnly ? "== or !=" : "a comparison: == != < <= > >="
        let token = try require("a comparison", expected: expected)
        guard case .compare(let op) = token.kind else {
            throw failure("expected \(equalityOnly ? "'==' or '!='" : "a comparison"), found \(Self.describe(token))",
                          at: token.location, expected: expected)
        }
        guard !equalityOnly || op == .equal || op == .notEqual else {
            throw failure("only '==' and '!=' apply here, not '\(op.symbol)'", at: token.location, expected: expected)
        }
        return op
    }

    /// Consumes `==` or throws "expected '=='`alternatives`".
    mutating func expectEquals(or alternatives: String = "") throws(ParseError) {
        let token = try require(alternatives.isEmpty ? "'=='" : "'== VALUE' or \(alternatives)")
        guard token.kind == .compare(.equal) else {
            throw failure("expected '=='\(alternatives.isEmpty ? "" : " or " + alternatives), found \(Self.describe(token))",
                          at: token.location, expected: synopsis)
        }
    }

    /// A non-negative integer or a `$VAR` bound by `let`.
    mutating func parseIntOperand() throws(ParseError) -> IntOperand {
        let expected = "a non-negative integer or a $VAR from 'let'"
        let token = try require("N", expected: expected)
        switch token.kind {
        case .integer(let value) where value >= 0:
            return .literal(value)
        case .integer:
            throw failure("N must not be negative", at: token.location, expected: expected)
        case .variable(let name):
            try checkVariable(name, token)
            return .variable(name)
        case let kind where kind.isPlainValue:
            throw failure("malformed number '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected N, found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    /// An optional `--json` at the end of the line (`status --json`): whether it is there.
    mutating func acceptJSONFlag() -> Bool {
        if accept(word: "--json") { return true }
        trailing.append("'--json'")
        return false
    }

    /// A file name, bare (`session.scn`, `out/h.edn`) or quoted.
    mutating func parseFileName() throws(ParseError) -> String {
        let token = try require("FILE")
        switch token.kind {
        case .string(let text) where !text.isEmpty: return text
        case let other where other.isPlainValue: return token.text
        default:
            throw failure("expected FILE, found \(Self.describe(token))", at: token.location,
                          expected: "a file name such as session.scn")
        }
    }

    /// `none` or a value (the right-hand side of `get KEY ==` and `applied KEY ==`).
    mutating func parseExpectedValue() throws(ParseError) -> ExpectedValue {
        if accept(word: "none") { return .none }
        return .value(try parseValue())
    }
}
