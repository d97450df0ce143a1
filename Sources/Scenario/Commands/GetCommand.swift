import KV

/// `get KEY [via NODE] [timeout DURATION]`: a linearizable read through a client.
public struct GetCommand: KeyOperationCommand {
    /// The row of `get`.
    public static let specs = [
        CommandSpec(
            name: "get",
            synopsis: "get KEY [via NODE] [timeout DURATION]",
            summary: "Read KEY linearizably (or from the via node only); prints the value, none or why not, the latency and the time. timeout bounds it (default " + Literals.formatDuration(ExecutorOptions.defaultOperationTimeout) + ").",
            example: "get x via 2 timeout 1s",
            keywords: ["via", "timeout"],
            category: .client),
    ]

    /// The key.
    public var key: String
    /// Where to send and how long to wait.
    public var options: ClientOptions

    /// A `get` line.
    public init(key: String, options: ClientOptions = ClientOptions()) {
        self.key = key
        self.options = options
    }

    /// `.get(key: key)`.
    public var operation: KVOperation { .get(key: key) }
}
