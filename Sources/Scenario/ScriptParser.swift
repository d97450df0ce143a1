/// The parser's working state: the lexer, the cluster size and variables in
/// effect, and a cursor over the tokens of the current line.
struct ScriptParser {
    let lexer: Lexer
    /// Node ids are checked against 1...nodeCount (the latest `cluster N`, or the default).
    var nodeCount: Int
    /// Variables bound so far (options plus earlier `let` lines).
    var variables: Set<String>

    var tokens: [Token] = []
    var position = 0
    var lineIndex = 0
    /// The command word of the current line, for messages.
    var command = ""
    /// The syntax of the current command, the default `expected` text.
    var synopsis = ""
    /// What may still follow on the line (besides its end), for "unexpected" errors.
    var trailing: [String] = []

    init(lexer: Lexer, options: ParserOptions) {
        self.lexer = lexer
        self.nodeCount = options.defaultNodes
        self.variables = options.knownVariables
    }

    // MARK: Lines and blocks

    mutating func parseAll() throws(ParseError) -> [Statement] {
        struct Frame {
            var location: SourceLocation
            var count: Int
            var body: [Statement]
        }
        var root: [Statement] = []
        var stack: [Frame] = []
        for index in 0..<lexer.lineCount {
            lineIndex = index
            tokens = try lexer.tokenizeLine(index)
            position = 0
            trailing = []
            guard let first = tokens.first else { continue }
            let statement: Statement
            if first.kind == .word("end") {
                begin("end")
                position = 1
                try finishLine()
                guard let frame = stack.popLast() else {
                    throw failure("'end' without an open 'repeat' block", at: first.location,
                                  expected: "'end' only to close a 'repeat N' block")
                }
                statement = Statement(location: frame.location, kind: .repeatBlock(count: frame.count, body: frame.body))
            } else if first.kind == .word("repeat") {
                begin("repeat")
                position = 1
                let count = try parseInteger("the repeat count", in: 1...1_000_000)
                try finishLine()
                stack.append(Frame(location: first.location, count: count, body: []))
                continue
            } else {
                statement = try parseStatement()
            }
            if stack.isEmpty {
                root.append(statement)
            } else {
                stack[stack.count - 1].body.append(statement)
            }
        }
        if let open = stack.last {
            throw failure("'repeat' block is not closed", at: open.location,
                          expected: "'end' before the end of the input")
        }
        return root
    }

    // MARK: Cursor

    var atEnd: Bool { position >= tokens.count }

    var peek: Token? { atEnd ? nil : tokens[position] }

    mutating func next() -> Token? {
        guard let token = peek else { return nil }
        position += 1
        return token
    }

    func peekWord() -> String? {
        if case .word(let word)? = peek?.kind { return word }
        return nil
    }

    mutating func accept(word: String) -> Bool {
        guard peekWord() == word else { return false }
        position += 1
        return true
    }

    mutating func accept(_ kind: TokenKind) -> Bool {
        guard peek?.kind == kind else { return false }
        position += 1
        return true
    }

    /// Just after the last token of the line: where a missing argument belongs.
    var missingLocation: SourceLocation {
        SourceLocation(file: lexer.file, line: lexer.firstLine + lineIndex, column: tokens.last?.endColumn ?? 1)
    }

    // MARK: Errors

    func failure(_ message: String, at location: SourceLocation, expected: String?) -> ParseError {
        let index = location.line - lexer.firstLine
        let line = lexer.lines.indices.contains(index) ? lexer.lines[index] : nil
        return ParseError(location: location, message: message, expected: expected, sourceLine: line)
    }

    static func describe(_ token: Token) -> String {
        let text = token.text.unicodeScalars.count > 40
            ? String(String.UnicodeScalarView(token.text.unicodeScalars.prefix(40))) + "..."
            : token.text
        return "'\(text)'"
    }

    var trailingText: String {
        trailing.isEmpty ? "end of line" : trailing.joined(separator: ", ") + " or end of line"
    }

    /// Sets the command and its synopsis for messages.
    mutating func begin(_ word: String) {
        command = word
        let specs = CommandTable.specs(forCommand: word)
        if specs.count > 2 {
            synopsis = "\(word) " + specs.compactMap(\.formWord).joined(separator: "|") + " ... (see 'help \(word)')"
        } else {
            synopsis = specs.map(\.synopsis).joined(separator: " or ")
        }
    }

    mutating func use(spec name: String) {
        if let spec = CommandTable.spec(named: name) { synopsis = spec.synopsis }
    }

    /// Throws if tokens remain on the line.
    mutating func finishLine() throws(ParseError) {
        guard let token = peek else { return }
        let message = trailing.isEmpty
            ? "too many arguments for '\(command)': unexpected \(Self.describe(token))"
            : "unexpected \(Self.describe(token))"
        throw failure(message, at: token.location, expected: trailingText)
    }

    /// The next token, or a "missing WHAT" error at the end of the line
    /// (whose `expected` is the command's synopsis: the arity is what is wrong).
    mutating func require(_ what: String, expected: String? = nil) throws(ParseError) -> Token {
        guard let token = next() else {
            throw failure("missing \(what) for '\(command)'", at: missingLocation, expected: synopsis)
        }
        return token
    }

    mutating func expect(word: String) throws(ParseError) {
        let token = try require("'\(word)'")
        guard token.kind == .word(word) else {
            throw failure("expected '\(word)', found \(Self.describe(token))", at: token.location, expected: synopsis)
        }
    }

    // MARK: Literals

    static let durationExpected = "a duration such as 500us, 150ms, 2s, 1.5s or 1m"

    mutating func parseInteger(_ what: String, in range: ClosedRange<Int>) throws(ParseError) -> Int {
        let token = try require(what)
        let expected = range.upperBound == Int.max
            ? "an integer of at least \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
        switch token.kind {
        case .integer(let value):
            guard range.contains(value) else {
                throw failure("\(what) must be \(range.upperBound == Int.max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"), not \(value)",
                              at: token.location, expected: expected)
            }
            return value
        case .word, .decimal, .duration, .percent, .integerRange, .durationRange:
            throw failure("malformed number '\(token.text)' for \(what)", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    mutating func parseDuration(_ what: String, positive: Bool = false) throws(ParseError) -> UInt64 {
        let token = try require(what, expected: Self.durationExpected)
        switch token.kind {
        case .duration(let nanoseconds):
            guard !positive || nanoseconds > 0 else {
                throw failure("\(what) must be greater than 0", at: token.location, expected: Self.durationExpected)
            }
            return nanoseconds
        case .integer, .decimal:
            throw failure("malformed duration '\(token.text)': missing unit (ns, us, ms, s, m, h)", at: token.location,
                          expected: Self.durationExpected)
        case .durationRange:
            throw failure("expected one duration, not the range '\(token.text)'", at: token.location, expected: Self.durationExpected)
        case .word, .percent, .integerRange:
            throw failure("malformed duration '\(token.text)'", at: token.location, expected: Self.durationExpected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: Self.durationExpected)
        }
    }

    mutating func parseDurationRange(_ what: String, positive: Bool = false) throws(ParseError) -> ClosedRange<UInt64> {
        let expected = "a duration range such as 150ms..300ms (or one duration)"
        let token = try require(what, expected: expected)
        let low: UInt64, high: UInt64
        switch token.kind {
        case .durationRange(let a, let b): (low, high) = (a, b)
        case .duration(let a): (low, high) = (a, a)
        case .integer, .decimal, .integerRange:
            throw failure("malformed duration range '\(token.text)': missing unit (ns, us, ms, s, m, h)", at: token.location,
                          expected: expected)
        case .word, .percent:
            throw failure("malformed duration range '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard low <= high else {
            throw failure("range '\(token.text)' goes backwards", at: token.location, expected: "LOW..HIGH with LOW <= HIGH")
        }
        guard !positive || low > 0 else {
            throw failure("\(what) must be greater than 0", at: token.location, expected: expected)
        }
        return low...high
    }

    mutating func parsePercent(_ what: String) throws(ParseError) -> Double {
        let expected = "a percentage from 0% to 100% such as 30%"
        let token = try require(what, expected: expected)
        switch token.kind {
        case .percent(let value):
            guard value <= 100 else {
                throw failure("percentage \(token.text) is above 100%", at: token.location, expected: expected)
            }
            return value
        case .integer, .decimal:
            throw failure("malformed percentage '\(token.text)': missing '%'", at: token.location, expected: expected)
        case .word, .duration, .integerRange, .durationRange:
            throw failure("malformed percentage '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    /// A number (integer or decimal) in `range`.
    mutating func parseNumber(_ what: String, in range: ClosedRange<Double>) throws(ParseError) -> Double {
        let expected = "a number from \(Literals.formatNumber(range.lowerBound)) to \(Literals.formatNumber(range.upperBound))"
        let token = try require(what, expected: expected)
        let value: Double
        switch token.kind {
        case .integer(let n): value = Double(n)
        case .decimal(let d): value = d
        case .word, .duration, .percent, .integerRange, .durationRange:
            throw failure("malformed number '\(token.text)' for \(what)", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard range.contains(value) else {
            throw failure("\(what) must be from \(Literals.formatNumber(range.lowerBound)) to \(Literals.formatNumber(range.upperBound)), not \(token.text)",
                          at: token.location, expected: expected)
        }
        return value
    }

    mutating func parseKey(_ what: String = "KEY") throws(ParseError) -> String {
        let expected = "a key of letters, digits and _ - . : /"
        let token = try require(what, expected: expected)
        let key: String
        switch token.kind {
        case .string(let text): key = text
        case let kind where kind.isPlainValue: key = token.text
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard Literals.isKey(key) else {
            throw failure("invalid \(what == "KEY" ? "key" : what) '\(key)'", at: token.location, expected: expected)
        }
        return key
    }

    mutating func parseValue(_ what: String = "VALUE") throws(ParseError) -> String {
        let expected = "\(what): a word, a number or a quoted string"
        let token = try require(what, expected: expected)
        switch token.kind {
        case .string(let text): return text
        case let kind where kind.isPlainValue: return token.text
        case .variable:
            throw failure("a variable cannot be used as \(what)", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    // MARK: Selectors

    struct ParsedSelector {
        var selector: NodeSelector
        var location: SourceLocation
        /// The literal ids and where each was written.
        var ids: [(id: Int, location: SourceLocation)]
    }

    var selectorExpected: String {
        "a node id from 1 to \(nodeCount), a list such as 1,2, leader, follower, followers, all, rest or $VAR"
    }

    mutating func parseSelector(_ what: String, single: Bool = false) throws(ParseError) -> ParsedSelector {
        var parts: [NodeSelector] = []
        var ids: [(id: Int, location: SourceLocation)] = []
        var start: SourceLocation?
        while true {
            guard let token = next() else {
                if parts.isEmpty {
                    throw failure("missing \(what) for '\(command)'", at: missingLocation, expected: synopsis)
                }
                throw failure("missing node after ','", at: missingLocation, expected: selectorExpected)
            }
            if start == nil { start = token.location }
            switch token.kind {
            case .integer(let id):
                try checkNode(id, token, ids)
                ids.append((id, token.location))
                appendIds([id], to: &parts)
            case .integerRange(let low, let high):
                guard low <= high else {
                    throw failure("range '\(token.text)' goes backwards", at: token.location, expected: "LOW..HIGH with LOW <= HIGH")
                }
                try checkNode(low, token, ids)
                try checkNode(high, token, ids)
                for id in low...high {
                    try checkNode(id, token, ids)
                    ids.append((id, token.location))
                }
                appendIds(Array(low...high), to: &parts)
            case .word(let word):
                switch word {
                case "leader": parts.append(.leader)
                case "follower": parts.append(.follower)
                case "followers": parts.append(.followers)
                case "all": parts.append(.all)
                case "rest": parts.append(.rest)
                default:
                    if let first = word.unicodeScalars.first, Literals.isDigit(first) || first == "-" {
                        throw failure("malformed node id '\(word)'", at: token.location, expected: selectorExpected)
                    }
                    throw failure("unknown node selector '\(word)'" + Suggestions.hint(for: word, among: NodeSelector.keywords),
                                  at: token.location, expected: selectorExpected)
                }
            case .variable(let name):
                try checkVariable(name, token)
                parts.append(.variable(name))
            case .decimal, .duration, .percent, .durationRange:
                throw failure("malformed node id '\(token.text)'", at: token.location, expected: selectorExpected)
            default:
                throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: selectorExpected)
            }
            guard accept(.comma) else { break }
        }
        let selector = parts.count == 1 ? parts[0] : .union(parts)
        let location = start ?? missingLocation
        if single && !selector.isSingle {
            throw failure("expected a single node, found '\(selector.sourceText)'", at: location,
                          expected: "one node: an id from 1 to \(nodeCount), leader, follower or $VAR")
        }
        return ParsedSelector(selector: selector, location: location, ids: ids)
    }

    private func appendIds(_ new: [Int], to parts: inout [NodeSelector]) {
        if case .ids(let existing)? = parts.last {
            parts[parts.count - 1] = .ids(existing + new)
        } else {
            parts.append(.ids(new))
        }
    }

    func checkNode(_ id: Int, _ token: Token, _ seen: [(id: Int, location: SourceLocation)]) throws(ParseError) {
        guard id >= 1, id <= nodeCount else {
            throw failure("node \(id) is out of range: the cluster has \(nodeCount) node\(nodeCount == 1 ? "" : "s")",
                          at: token.location, expected: "a node id from 1 to \(nodeCount)")
        }
        guard !seen.contains(where: { $0.id == id }) else {
            throw failure("node \(id) is named twice", at: token.location, expected: "each node at most once")
        }
    }

    func checkVariable(_ name: String, _ token: Token) throws(ParseError) {
        guard variables.contains(name) else {
            let known = variables.sorted()
            let expected = known.isEmpty
                ? "a variable set by an earlier 'let' (none is set yet)"
                : "a variable set by an earlier 'let': " + known.map { "$" + $0 }.joined(separator: ", ")
            let hint = Suggestions.closest(to: name, among: known).map { "; did you mean '$\($0)'?" } ?? ""
            throw failure("unknown variable '$\(name)'" + hint,
                          at: token.location, expected: expected)
        }
    }

    mutating func parseLink() throws(ParseError) -> Link {
        let from = try parseSelector("NODES")
        let arrow = try require("'->'", expected: "'->' between the sending and the receiving nodes, as in 1 -> 2")
        guard arrow.kind == .arrow else {
            throw failure("expected '->', found \(Self.describe(arrow))", at: arrow.location,
                          expected: "'->' between the sending and the receiving nodes, as in 1 -> 2")
        }
        let to = try parseSelector("NODES after '->'")
        return Link(from: from.selector, to: to.selector)
    }

    mutating func parseOptionalLink() throws(ParseError) -> Link? {
        guard !atEnd else { return nil }
        _ = accept(word: "on")
        return try parseLink()
    }
}
