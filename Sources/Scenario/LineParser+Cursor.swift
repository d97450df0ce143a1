// The cursor over the tokens of the current line.

extension LineParser {
    /// Whether every token of the line has been read.
    var atEnd: Bool { position >= tokens.count }

    /// The next token, not consumed.
    var peek: Token? { atEnd ? nil : tokens[position] }

    /// Consumes and returns the next token.
    mutating func next() -> Token? {
        guard let token = peek else { return nil }
        position += 1
        return token
    }

    /// The next token's word, if it is a word.
    func peekWord() -> String? {
        if case .word(let word)? = peek?.kind { return word }
        return nil
    }

    /// Consumes the next token if it is the word `word`.
    mutating func accept(word: String) -> Bool {
        guard peekWord() == word else { return false }
        position += 1
        return true
    }

    /// Consumes the next token if it is of `kind`.
    mutating func accept(_ kind: TokenKind) -> Bool {
        guard peek?.kind == kind else { return false }
        position += 1
        return true
    }

    /// Just after the last token of the line: where a missing argument belongs.
    var missingLocation: SourceLocation {
        SourceLocation(file: lexer.file, line: lexer.firstLine + lineIndex, column: tokens.last?.endColumn ?? 1)
    }

    /// The next token, or a "missing WHAT" error at the end of the line
    /// (whose `expected` is the command's synopsis: the arity is what is wrong).
    mutating func require(_ what: String, expected: String? = nil) throws(ParseError) -> Token {
        guard let token = next() else {
            throw failure("missing \(what) for '\(command)'", at: missingLocation, expected: synopsis)
        }
        return token
    }

    /// Consumes the word `word` or throws.
    mutating func expect(word: String) throws(ParseError) {
        let token = try require("'\(word)'")
        guard token.kind == .word(word) else {
            throw failure("expected '\(word)', found \(Self.describe(token))", at: token.location, expected: synopsis)
        }
    }
}
