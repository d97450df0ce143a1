/// The parser's working state: the lexer, the cluster size and variables in
/// effect, and a cursor over the tokens of the current line.
///
/// It reads the lines and blocks of a text and hands each line to the command
/// its first word names (see `CommandRegistry`); commands and conditions read
/// their arguments with the shared primitives of its extensions (literals,
/// selectors, links, client options, comparisons) and report errors through
/// `failure(_:at:expected:)`, which carries `file:line:col` and the source line.
public struct LineParser {
    let lexer: Lexer
    /// Node ids are checked against 1...nodeCount (the latest `cluster N`, or the default).
    var nodeCount: Int
    /// Variables bound so far (options plus earlier `let` lines).
    var variables: Set<String>
    /// Variables a `cluster` line forgot, with the line that did (for the error's words).
    var forgottenVariables: [String: Int] = [:]

    var tokens: [Token] = []
    var position = 0
    var lineIndex = 0
    /// The command word of the current line, for messages.
    var command = ""
    /// The syntax of the current command, the default `expected` text.
    var synopsis = ""
    /// What may still follow on the line (besides its end), for "unexpected" errors.
    var trailing: [String] = []

    /// The word that closes the innermost block opened by a `NestingCommand`.
    static let blockEnd = "end"

    static let commandExpected = "a command such as cluster, put, get, fail, wait or expect; type 'help' for the list"

    /// A parser over `lexer`'s lines, starting from `options`' cluster size and variables.
    init(lexer: Lexer, options: ParserOptions) {
        self.lexer = lexer
        self.nodeCount = options.defaultNodes
        self.variables = options.knownVariables
    }

    // MARK: Lines and blocks

    /// Parses every line; a block opened by a `NestingCommand` takes the lines up to its `end`.
    mutating func parseAll() throws(ParseError) -> [Statement] {
        struct Frame {
            var location: SourceLocation
            var command: any NestingCommand
        }
        var root: [Statement] = []
        var stack: [Frame] = []
        for index in 0..<lexer.lineCount {
            lineIndex = index
            tokens = try lexer.tokenizeLine(index)
            position = 0
            trailing = []
            guard let first = tokens.first else { continue }
            var statement: Statement
            if first.kind == .word(Self.blockEnd) {
                begin(Self.blockEnd)
                position = 1
                try finishLine()
                guard let frame = stack.popLast() else {
                    throw failure("'end' without an open 'repeat' block", at: first.location,
                                  expected: "'end' only to close a 'repeat N' block")
                }
                statement = Statement(location: frame.location, command: frame.command)
            } else {
                statement = try parseStatement()
                if let nesting = statement.command as? any NestingCommand {
                    stack.append(Frame(location: statement.location, command: nesting))
                    continue
                }
            }
            if stack.isEmpty {
                root.append(statement)
            } else {
                stack[stack.count - 1].command.body.append(statement)
            }
        }
        if let open = stack.last {
            throw failure("'repeat' block is not closed", at: open.location,
                          expected: "'end' before the end of the input")
        }
        return root
    }

    /// Parses the current line (not `end`) into a statement: the command its first word names
    /// reads the rest of the line.
    mutating func parseStatement() throws(ParseError) -> Statement {
        let first = tokens[0]
        guard case .word(let word) = first.kind else {
            throw failure("expected a command, found \(Self.describe(first))", at: first.location, expected: Self.commandExpected)
        }
        guard let type = CommandRegistry.command(for: word) else {
            throw failure("unknown command '\(word)'" + Suggestions.hint(for: word, among: CommandTable.commandWords),
                          at: first.location, expected: Self.commandExpected)
        }
        // `COMMAND --help` (anywhere after the command) is `help COMMAND`.
        if tokens.count > 1, tokens.last?.kind == .word(Self.helpFlag) {
            return Statement(location: first.location, command: HelpCommand(topic: helpTopic()))
        }
        begin(word)
        position = 1
        let command = try type.init(parsing: &self)
        try finishLine()
        return Statement(location: first.location, command: command)
    }

    /// The flag that turns a line into `help` for its command.
    static let helpFlag = "--help"

    /// The topic of a `COMMAND [FORM] ... --help` line: the command and its form word when they
    /// name a row (`wait until`, `expect get`), else the command word.
    private func helpTopic() -> String {
        let word = tokens[0].text
        if tokens.count > 2, case .word(let form) = tokens[1].kind, form != Self.helpFlag,
           CommandTable.spec(named: "\(word) \(form)") != nil {
            return "\(word) \(form)"
        }
        return word
    }


    // MARK: Errors

    /// A parse error at `location`, with the source line it is on.
    func failure(_ message: String, at location: SourceLocation, expected: String?) -> ParseError {
        let index = location.line - lexer.firstLine
        let line = lexer.lines.indices.contains(index) ? lexer.lines[index] : nil
        return ParseError(location: location, message: message, expected: expected, sourceLine: line)
    }

    /// A token as quoted in messages (`'x'`; long ones cut at 40 characters).
    static func describe(_ token: Token) -> String {
        let text = token.text.unicodeScalars.count > 40
            ? String(String.UnicodeScalarView(token.text.unicodeScalars.prefix(40))) + "..."
            : token.text
        return "'\(text)'"
    }

    /// What may still follow, for "unexpected" errors.
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

    /// Narrows the synopsis in messages to one form (`"wait until"`, `"workload stop"`).
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
}
