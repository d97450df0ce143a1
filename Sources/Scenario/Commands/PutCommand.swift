import KV

/// `put KEY VALUE [via NODE] [timeout DURATION]`: write through a client that finds the leader.
public struct PutCommand: KeyValueOperationCommand {
    /// The row of `put`.
    public static let specs = [
        CommandSpec(
            name: "put",
            synopsis: "put KEY VALUE [via NODE] [timeout DURATION]",
            summary: "Write VALUE under KEY through a client that finds the leader (or to the via node only), retrying with the same request id; prints ok or why not, the latency and the time. timeout bounds it (default " + Literals.formatDuration(ExecutorOptions.defaultOperationTimeout) + ").",
            example: "put x 1",
            keywords: ["via", "timeout"],
            category: .client),
    ]

    /// The key.
    public var key: String
    /// The value written.
    public var value: String
    /// Where to send and how long to wait.
    public var options: ClientOptions

    /// A `put` line.
    public init(key: String, value: String, options: ClientOptions = ClientOptions()) {
        self.key = key
        self.value = value
        self.options = options
    }

    /// `.put(key: key, value: value)`.
    public var operation: KVOperation { .put(key: key, value: value) }
}
