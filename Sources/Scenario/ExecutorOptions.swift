/// Settings of an executor that do not come from the script.
public struct ExecutorOptions: Sendable {
    /// Seed for clusters whose `cluster` line names none (and for the default cluster).
    public var seed: UInt64 = 1
    /// When set, overrides every `cluster … seed N` (so `raftsh run --seed` reproduces any run).
    public var seedOverride: UInt64? = nil
    /// Nodes of the default cluster a script without a `cluster` line runs on.
    public var defaultNodes: Int = 5
    /// Time a client operation may take unless the line says `timeout`.
    public var operationTimeout: UInt64 = ExecutorOptions.defaultOperationTimeout
    /// Limit of `wait until` without `within`.
    public var waitLimit: UInt64 = ExecutorOptions.defaultWaitLimit
    /// The default client timeout, 5s: what `put`, `get`, `delete` and the conditions that run
    /// them wait without `timeout`.
    public static let defaultOperationTimeout: UInt64 = 5_000_000_000
    /// The default limit of `wait until` without `within`, 10s.
    public static let defaultWaitLimit: UInt64 = 10_000_000_000
    /// Whether `save` is allowed (the prompt only).
    public var allowSave = false
    /// Color the status table (a terminal without NO_COLOR).
    public var color = false
    /// Settings that replace those of every `cluster` line (`raftsh sweep --param`).
    public var clusterOverride = ClusterOverride()
    /// The defaults.
    public init() {}
}
