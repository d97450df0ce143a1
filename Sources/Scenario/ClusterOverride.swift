/// Cluster settings imposed from outside the script; nil fields leave the script's value.
public struct ClusterOverride: Sendable, Hashable {
    /// The number of nodes.
    public var nodes: Int?
    /// The election timeout range, in nanoseconds.
    public var election: ClosedRange<UInt64>?
    /// The heartbeat interval, in nanoseconds.
    public var heartbeat: UInt64?
    /// The network latency range, in nanoseconds.
    public var latency: ClosedRange<UInt64>?
    /// Nodes take a snapshot every this many applied entries.
    public var snapshotEvery: UInt64?
    /// Simulated nodes write in the background, a write taking this long (`cluster … disk`).
    public var disk: ClosedRange<UInt64>?
    /// Creates an override; nil fields leave the script's value.
    public init(nodes: Int? = nil, election: ClosedRange<UInt64>? = nil, heartbeat: UInt64? = nil,
                latency: ClosedRange<UInt64>? = nil, snapshotEvery: UInt64? = nil) {
        self.snapshotEvery = snapshotEvery
        self.nodes = nodes
        self.election = election
        self.heartbeat = heartbeat
        self.latency = latency
    }
    /// Apply to a `cluster` line's settings.
    public func apply(to cfg: ClusterConfig) -> ClusterConfig {
        var c = cfg
        if let nodes { c.nodes = nodes }
        if let election { c.election = election }
        if let heartbeat { c.heartbeat = heartbeat }
        if let latency { c.latency = latency }
        if let snapshotEvery { c.snapshotEvery = snapshotEvery }
        if let disk, c.transport == .simulated { c.disk = disk }
        return c
    }
}
