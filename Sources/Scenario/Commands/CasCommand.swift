import KV

/// `cas KEY FROM TO [via NODE] [timeout DURATION]`: compare-and-set through a client that finds
/// the leader: KEY becomes TO only if it holds FROM.
public struct CasCommand: ScenarioCommand {
    /// The row of `cas`.
    public static let specs = [
        CommandSpec(
            name: "cas",
            synopsis: "cas KEY FROM TO [via NODE] [timeout DURATION]",
            summary: "Set KEY to TO only if it holds FROM (compare-and-set, exactly once under retries); prints ok, cas failed with the value found, or why not, the latency and the time. timeout bounds it (default " + Literals.formatDuration(ExecutorOptions.defaultOperationTimeout) + ").",
            example: "cas x 1 2",
            keywords: ["via", "timeout"],
            category: .client),
    ]

    /// The key.
    public var key: String
    /// The value expected.
    public var from: String
    /// The value written if `from` matched.
    public var to: String
    /// Where to send and how long to wait.
    public var options: ClientOptions

    /// A `cas` line.
    public init(key: String, from: String, to: String, options: ClientOptions = ClientOptions()) {
        self.key = key
        self.from = from
        self.to = to
        self.options = options
    }

    /// Reads `KEY FROM TO` and the client options.
    public init(parsing p: inout LineParser) throws(ParseError) {
        key = try p.parseKey()
        from = try p.parseValue("FROM")
        to = try p.parseValue("TO")
        options = try p.parseClientOptions()
    }

    /// `cas KEY FROM TO` and the options set.
    public var sourceText: String {
        "cas \(key) \(Literals.quoteIfNeeded(from)) \(Literals.quoteIfNeeded(to))\(options.sourceText)"
    }

    /// The key.
    public var keys: [String] { [key] }

    /// `.cas(key: key, from: from, to: to)`.
    public var operation: KVOperation { .cas(key: key, from: from, to: to) }

    /// Runs the operation and prints its outcome, latency and time.
    public func execute(in x: ExecutionContext) throws {
        try x.runClientOp(operation, options)
    }
}
