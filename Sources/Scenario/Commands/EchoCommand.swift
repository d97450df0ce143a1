/// `echo TEXT`: print the rest of the line.
public struct EchoCommand: ScenarioCommand {
    /// The row of `echo`.
    public static let specs = [
        CommandSpec(
            name: "echo",
            synopsis: "echo TEXT",
            summary: "Print TEXT: the rest of the line (quote it to keep a #).",
            example: "echo partition the old leader away",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// The text (may be empty).
    public var text: String

    /// An `echo` line.
    public init(text: String) {
        self.text = text
    }

    /// Reads the rest of the line (the lexer makes it one token) or a quoted string.
    public init(parsing p: inout LineParser) throws(ParseError) {
        guard let token = p.next() else {
            text = ""
            return
        }
        switch token.kind {
        case .text(let t), .string(let t): text = t
        default:
            throw p.failure("expected TEXT, found \(LineParser.describe(token))", at: token.location, expected: p.synopsis)
        }
    }

    /// `echo TEXT`, the text raw when it reads back unchanged, else quoted.
    public var sourceText: String { text.isEmpty ? "echo" : "echo " + Self.echoText(text) }

    /// Prints the text.
    public func execute(in x: ExecutionContext) throws {
        x.output(text)
    }

    /// Echo text is written raw when it reads back unchanged, else quoted.
    static func echoText(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last,
              !first.properties.isWhitespace, !last.properties.isWhitespace, first != "\"",
              !scalars.contains(where: { $0 == "#" || $0 == "\n" || $0 == "\r" }) else {
            return Literals.quoted(text)
        }
        return text
    }
}
