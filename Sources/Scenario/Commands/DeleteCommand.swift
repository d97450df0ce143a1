import KV

/// `delete KEY [via NODE] [timeout DURATION]`: remove a key through a client.
public struct DeleteCommand: KeyOperationCommand {
    /// The row of `delete`.
    public static let specs = [
        CommandSpec(
            name: "delete",
            synopsis: "delete KEY [via NODE] [timeout DURATION]",
            summary: "Remove KEY (or through the via node only); prints ok or why not, the latency and the time. timeout bounds it (default " + Literals.formatDuration(ExecutorOptions.defaultOperationTimeout) + ").",
            example: "delete x",
            keywords: ["via", "timeout"],
            category: .client),
    ]

    /// The key.
    public var key: String
    /// Where to send and how long to wait.
    public var options: ClientOptions

    /// A `delete` line.
    public init(key: String, options: ClientOptions = ClientOptions()) {
        self.key = key
        self.options = options
    }

    /// `.delete(key: key)`.
    public var operation: KVOperation { .delete(key: key) }
}
