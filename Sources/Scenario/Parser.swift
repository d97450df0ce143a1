import ClusterModel

/// Parses scenario text into a `Script`.
///
/// The whole text is parsed before anything runs; the first error in source
/// order is thrown as a `ParseError`. Parsing never prints, exits or traps.
public enum Parser {
    /// The largest cluster `cluster N` accepts (`ClusterLimits.maxNodes`, the same everywhere).
    public static let maxNodes = ClusterLimits.maxNodes

    /// Parses a whole scenario file.
    ///
    /// - Parameters:
    ///   - source: the file's text.
    ///   - file: the name used in locations and errors.
    ///   - options: the cluster size before any `cluster` line and the variables already bound.
    public static func parse(_ source: String, file: String, options: ParserOptions = ParserOptions()) throws(ParseError) -> Script {
        var parser = LineParser(lexer: Lexer(source: source, file: file), options: options)
        return Script(statements: try parser.parseAll())
    }

    /// Parses what was typed at the prompt: usually one line, or a buffered
    /// `repeat` block up to its `end` (see `needsMoreInput`). A blank or
    /// comment-only line gives no statements.
    ///
    /// - Parameters:
    ///   - text: the line(s).
    ///   - file: the name used in locations (`<prompt>` by default).
    ///   - line: the line number of the first line (e.g. the prompt's input count).
    ///   - options: the current cluster size and the session's variables.
    public static func parseLine(_ text: String, file: String = "<prompt>", line: Int = 1,
                                 options: ParserOptions = ParserOptions()) throws(ParseError) -> [Statement] {
        var parser = LineParser(lexer: Lexer(source: text, file: file, firstLine: line), options: options)
        return try parser.parseAll()
    }

    /// Whether `text` opens a `repeat` block that is not yet closed by `end`,
    /// so the shell should read more lines before parsing. Lines that do not
    /// lex are ignored (parsing will report them).
    public static func needsMoreInput(_ text: String) -> Bool {
        let lexer = Lexer(source: text, file: "")
        var depth = 0
        for index in 0..<lexer.lineCount {
            guard let tokens = try? lexer.tokenizeLine(index), let first = tokens.first else { continue }
            guard case .word(let word) = first.kind else { continue }
            if CommandRegistry.blockWords.contains(word) {
                depth += 1
            } else if word == LineParser.blockEnd {
                if depth == 0 { return false }
                depth -= 1
            }
        }
        return depth > 0
    }
}
