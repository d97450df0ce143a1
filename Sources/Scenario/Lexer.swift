/// Splits scenario source into lines and lines into tokens.
///
/// Lexing is line by line (a statement is one line, strings do not span lines),
/// so the parser can lex each line as it reaches it and report the first error
/// in source order. Line terminators are `\n`, `\r\n` and `\r`.
///
/// - `#` starts a comment that runs to the end of the line (outside strings).
/// - Plain runs of characters stop at blanks and at `# , | " = < >`, and before
///   `->` and `!=`; so keys may contain letters, digits and `_ - . : /`, and
///   `1,2|3` or `1->2` need no spaces.
/// - `"..."` is a string on one line, with escapes `\" \\ \n \r \t`.
/// - `$NAME` is a variable (ASCII letters, digits, `_`; not starting with a digit).
/// - On a line whose first token is `echo`, the rest of the line (up to a `#`
///   comment, blanks trimmed) is one `.text` token, unless it starts with `"`.
public struct Lexer: Sendable {
    /// The file name put in locations.
    public let file: String
    /// The line number of the first line of `source`.
    public let firstLine: Int
    /// The source split into lines, without terminators.
    public let lines: [String]
    private let scalarLines: [[Unicode.Scalar]]

    /// Creates a lexer over `source`; `firstLine` numbers its first line (the
    /// shell passes the prompt's line count).
    public init(source: String, file: String, firstLine: Int = 1) {
        var lines: [[Unicode.Scalar]] = [[]]
        var previousWasCR = false
        for scalar in source.unicodeScalars {
            if scalar == "\n" {
                if !previousWasCR { lines.append([]) }
                previousWasCR = false
            } else if scalar == "\r" {
                lines.append([])
                previousWasCR = true
            } else {
                lines[lines.count - 1].append(scalar)
                previousWasCR = false
            }
        }
        self.file = file
        self.firstLine = firstLine
        self.scalarLines = lines
        self.lines = lines.map { String(String.UnicodeScalarView($0)) }
    }

    /// The number of lines (a final line terminator starts one last, empty line).
    public var lineCount: Int { scalarLines.count }

    /// All tokens: each line's tokens, a `.newline` after every line but the last,
    /// and `.endOfInput` at the end.
    public func tokenize() throws(ParseError) -> [Token] {
        var result: [Token] = []
        for index in 0..<lineCount {
            result += try tokenizeLine(index)
            let location = SourceLocation(file: file, line: firstLine + index, column: scalarLines[index].count + 1)
            if index + 1 < lineCount {
                result.append(Token(kind: .newline, text: "\n", location: location, length: 0))
            } else {
                result.append(Token(kind: .endOfInput, text: "", location: location, length: 0))
            }
        }
        return result
    }

    /// The tokens of line `index` (0-based into `lines`), without a newline token.
    public func tokenizeLine(_ index: Int) throws(ParseError) -> [Token] {
        let s = scalarLines[index]
        let lineNumber = firstLine + index
        var tokens: [Token] = []
        var i = 0
        var echoChecked = false

        func location(_ at: Int) -> SourceLocation {
            SourceLocation(file: file, line: lineNumber, column: at + 1)
        }
        func text(_ from: Int, _ to: Int) -> String {
            String(String.UnicodeScalarView(s[from..<to]))
        }
        func add(_ kind: TokenKind, _ from: Int, _ to: Int) {
            tokens.append(Token(kind: kind, text: text(from, to), location: location(from), length: to - from))
        }
        func fail(_ message: String, at: Int, expected: String?) -> ParseError {
            ParseError(location: location(at), message: message, expected: expected, sourceLine: lines[index])
        }

        while i < s.count {
            let c = s[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "#" { break }
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            let start = i
            switch c {
            case ",": add(.comma, i, i + 1); i += 1
            case "|": add(.pipe, i, i + 1); i += 1
            case "=":
                if next == "=" { add(.compare(.equal), i, i + 2); i += 2 } else { add(.assign, i, i + 1); i += 1 }
            case "<":
                if next == "=" { add(.compare(.lessOrEqual), i, i + 2); i += 2 } else { add(.compare(.less), i, i + 1); i += 1 }
            case ">":
                if next == "=" { add(.compare(.greaterOrEqual), i, i + 2); i += 2 } else { add(.compare(.greater), i, i + 1); i += 1 }
            case "!" where next == "=":
                add(.compare(.notEqual), i, i + 2); i += 2
            case "-" where next == ">":
                add(.arrow, i, i + 2); i += 2
            case "\"":
                var content = String.UnicodeScalarView()
                var j = i + 1
                var closed = false
                while j < s.count {
                    let d = s[j]
                    if d == "\"" { j += 1; closed = true; break }
                    if d == "\\" {
                        guard j + 1 < s.count else { break }
                        switch s[j + 1] {
                        case "\"": content.append("\"")
                        case "\\": content.append("\\")
                        case "n": content.append("\n")
                        case "r": content.append("\r")
                        case "t": content.append("\t")
                        default:
                            throw fail("unknown escape '\\\(s[j + 1])' in string", at: j,
                                       expected: "one of \\\" \\\\ \\n \\r \\t")
                        }
                        j += 2
                        continue
                    }
                    content.append(d)
                    j += 1
                }
                guard closed else {
                    throw fail("unterminated string", at: start, expected: "a closing '\"' on the same line")
                }
                add(.string(String(content)), start, j)
                i = j
            case "$":
                var j = i + 1
                while j < s.count, Literals.isIdentifierScalar(s[j]) { j += 1 }
                let name = text(i + 1, j)
                guard Literals.isIdentifier(name) else {
                    throw fail("expected a variable name after '$'", at: start,
                               expected: "a name of letters, digits and _ such as $L")
                }
                add(.variable(name), start, j)
                i = j
            default:
                var j = i
                while j < s.count {
                    let d = s[j]
                    if d.properties.isWhitespace || Self.delimiters.contains(d) { break }
                    if j + 1 < s.count, (d == "-" && s[j + 1] == ">") || (d == "!" && s[j + 1] == "=") { break }
                    j += 1
                }
                let word = text(i, j)
                add(Self.classify(word), i, j)
                i = j
            }

            if !echoChecked {
                echoChecked = true
                if tokens.count == 1, tokens[0].kind == .word("echo") {
                    while i < s.count, s[i].properties.isWhitespace { i += 1 }
                    if i < s.count, s[i] != "\"", s[i] != "#" {
                        var end = i
                        while end < s.count, s[end] != "#" { end += 1 }
                        while end > i, s[end - 1].properties.isWhitespace { end -= 1 }
                        add(.text(text(i, end)), i, end)
                        break
                    }
                }
            }
        }
        return tokens
    }

    static let delimiters: Set<Unicode.Scalar> = ["#", ",", "|", "\"", "=", "<", ">"]

    /// Classifies a plain run of characters by its shape.
    static func classify(_ word: String) -> TokenKind {
        let scalars = Array(word.unicodeScalars)
        if let dot = scalars.indices.dropLast().first(where: { scalars[$0] == "." && scalars[$0 + 1] == "." }) {
            let low = String(String.UnicodeScalarView(scalars[..<dot]))
            let high = String(String.UnicodeScalarView(scalars[(dot + 2)...]))
            if let a = Literals.parseInteger(low), let b = Literals.parseInteger(high) { return .integerRange(a, b) }
            if let a = Literals.parseDuration(low), let b = Literals.parseDuration(high) { return .durationRange(a, b) }
            return .word(word)
        }
        if word.hasSuffix("%") {
            if let value = Literals.parsePercent(word) { return .percent(value) }
            return .word(word)
        }
        if let value = Literals.parseInteger(word) { return .integer(value) }
        if word.unicodeScalars.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
           let value = Literals.parseNumber(word) { return .decimal(value) }
        if let value = Literals.parseDuration(word) { return .duration(value) }
        return .word(word)
    }
}
