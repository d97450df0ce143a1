/// `put KEY VALUE [via NODE] [timeout DURATION] fails`: a write is not acknowledged.
public struct PutFailsCondition: ScenarioCondition {
    /// The row of `expect put`.
    public static let spec = CommandSpec(
        name: "expect put",
        synopsis: "expect put KEY VALUE [via NODE] [timeout DURATION] fails",
        summary: "A write is not acknowledged (e.g. only a minority is reachable).",
        example: "expect put x 2 timeout 1s fails",
        keywords: ["via", "timeout", "fails"],
        category: .assertions)

    /// The write, as the `put` command writes it.
    public var write: PutCommand

    /// A `put ... fails` condition.
    public init(key: String, value: String, options: ClientOptions = ClientOptions()) {
        write = PutCommand(key: key, value: value, options: options)
    }

    /// Reads a `put` line, then `fails`, then more client options.
    public init(parsing p: inout LineParser) throws(ParseError) {
        write = try PutCommand(parsing: &p)
        try p.expect(word: "fails")
        write.options = try p.parseClientOptions(write.options)
    }

    /// `put x 2 fails`.
    public var sourceText: String { write.sourceText + " fails" }

    /// A write runs.
    public var runsOperations: Bool { true }

    /// The key.
    public var keys: [String] { write.keys }

    /// Runs the write; holds when it is not acknowledged.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let r = try x.clientOp(write.operation, write.options)
        if r.succeeded { return (false, "put \(write.key) succeeded at index \(r.index)") }
        return (true, "put \(write.key) failed: \(r.failure ?? "no answer")")
    }
}
