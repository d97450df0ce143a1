import KV

/// `append KEY VALUE [via NODE] [timeout DURATION]`: append to the string at KEY through a client
/// that finds the leader (an absent key counts as empty), as in the 6.5840 KV labs.
public struct AppendCommand: KeyValueOperationCommand {
    /// The row of `append`.
    public static let specs = [
        CommandSpec(
            name: "append",
            synopsis: "append KEY VALUE [via NODE] [timeout DURATION]",
            summary: "Append VALUE to the string under KEY (exactly once under retries); prints ok or why not, the latency and the time. timeout bounds it (default " + Literals.formatDuration(ExecutorOptions.defaultOperationTimeout) + ").",
            example: "append log a",
            keywords: ["via", "timeout"],
            category: .client),
    ]

    /// The key.
    public var key: String
    /// The text appended.
    public var value: String
    /// Where to send and how long to wait.
    public var options: ClientOptions

    /// An `append` line.
    public init(key: String, value: String, options: ClientOptions = ClientOptions()) {
        self.key = key
        self.value = value
        self.options = options
    }

    /// `.append(key: key, value: value)`.
    public var operation: KVOperation { .append(key: key, value: value) }
}
