/// Limits every kind of cluster shares, so that every message states the same number.
public enum ClusterLimits {
    /// The most nodes a cluster may have (`cluster N`, `raftsh --nodes`, the simulator, UDP).
    public static let maxNodes = 64

    /// `1 to 64 nodes`, as messages say it.
    public static var nodeRange: String { "1 to \(maxNodes) nodes" }
}
