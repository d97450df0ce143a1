/// `repeat N` ... `end`: run the lines of the block N times; blocks nest.
public struct RepeatCommand: NestingCommand {
    /// The rows of `repeat` and of the `end` that closes it.
    public static let specs = [
        CommandSpec(
            name: "repeat",
            synopsis: "repeat N ... end",
            summary: "Run the lines up to the matching end N times; blocks nest.",
            example: "repeat 3\n  fail leader\n  wait until leader within 2s\n  restart all\nend",
            category: .inspection),
        CommandSpec(
            name: "end",
            synopsis: "end",
            summary: "Close the innermost repeat block.",
            example: "repeat 2\n  wait 1s\nend",
            category: .inspection),
    ]

    /// How many times the body runs.
    public var count: Int
    /// The lines of the block.
    public var body: [Statement]

    /// A `repeat` block.
    public init(count: Int, body: [Statement] = []) {
        self.count = count
        self.body = body
    }

    /// Reads `N`; the parser fills the body from the lines up to `end`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        count = try p.parseInteger("the repeat count", in: 1...1_000_000)
        body = []
    }

    /// `repeat N`, the body indented by two spaces, `end`.
    public var sourceText: String {
        let lines = body.flatMap { $0.sourceText.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 } }
        return (["repeat \(count)"] + lines + ["end"]).joined(separator: "\n")
    }

    /// The keys of the body.
    public var keys: [String] { body.flatMap(\.command.keys) }

    /// Runs the body `count` times; the first failure stops it.
    public func execute(in x: ExecutionContext) throws {
        for _ in 0..<count {
            for statement in body { try x.executor.execute(statement) }
        }
    }
}
