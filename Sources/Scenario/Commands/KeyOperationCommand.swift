import KV

/// A client operation on one key with `[via NODE] [timeout DURATION]` (`get KEY`, `delete KEY`):
/// the protocol reads and prints the line and runs the operation; the command gives its row and
/// its operation.
public protocol KeyOperationCommand: ScenarioCommand {
    /// The key.
    var key: String { get }
    /// Where to send and how long to wait.
    var options: ClientOptions { get set }
    /// The command on `key`.
    init(key: String, options: ClientOptions)
    /// The operation the line runs.
    var operation: KVOperation { get }
}

extension KeyOperationCommand {
    /// Reads `KEY` and the client options.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        let key = try parser.parseKey()
        self.init(key: key, options: try parser.parseClientOptions())
    }

    /// `WORD KEY` and the options set.
    public var sourceText: String { Self.specs[0].commandWord + " \(key)\(options.sourceText)" }

    /// The key.
    public var keys: [String] { [key] }

    /// Runs the operation and prints its outcome, latency and time.
    public func execute(in x: ExecutionContext) throws {
        try x.runClientOp(operation, options)
    }
}

/// A client operation writing a value under one key with `[via NODE] [timeout DURATION]`
/// (`put KEY VALUE`, `append KEY VALUE`): the protocol reads and prints the line and runs the
/// operation; the command gives its row and its operation.
public protocol KeyValueOperationCommand: ScenarioCommand {
    /// The key.
    var key: String { get }
    /// The value.
    var value: String { get }
    /// Where to send and how long to wait.
    var options: ClientOptions { get set }
    /// The command writing `value` under `key`.
    init(key: String, value: String, options: ClientOptions)
    /// The operation the line runs.
    var operation: KVOperation { get }
}

extension KeyValueOperationCommand {
    /// Reads `KEY VALUE` and the client options.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        let key = try parser.parseKey()
        let value = try parser.parseValue()
        self.init(key: key, value: value, options: try parser.parseClientOptions())
    }

    /// `WORD KEY VALUE` and the options set.
    public var sourceText: String {
        Self.specs[0].commandWord + " \(key) \(Literals.quoteIfNeeded(value))\(options.sourceText)"
    }

    /// The key.
    public var keys: [String] { [key] }

    /// Runs the operation and prints its outcome, latency and time.
    public func execute(in x: ExecutionContext) throws {
        try x.runClientOp(operation, options)
    }
}
