import RaftCore
import Sim
import Scenario

/// Makes the cluster for each `cluster` line (and for a script's default cluster): local `raftd`
/// processes when the line says `udp` or `forceUDP` is set, the simulator otherwise. It keeps
/// the UDP clusters it made so their processes can be ended at once (`shutdownAll`), and ends
/// the previous ones when a new cluster replaces them.
public final class UDPClusterFactory {
    /// Every cluster line becomes UDP (`raftsh --udp`, `raftsh run --udp`).
    public var forceUDP: Bool
    /// Sync nodes' logs (`--no-fsync` turns it off).
    public var fsync: Bool
    /// Returned for the first cluster asked for (the session's default), then forgotten: the
    /// nodes of `raftsh --connect`.
    public var attached: UDPCluster?
    /// Whether the last cluster made was UDP.
    public private(set) var lastWasUDP = false
    private var live: [UDPCluster] = []

    public init(forceUDP: Bool = false, fsync: Bool = true, attached: UDPCluster? = nil) {
        self.forceUDP = forceUDP
        self.fsync = fsync
        self.attached = attached
        if let attached { live.append(attached) }
    }

    /// For `Executor.makeCluster` and `ScenarioRunner.makeCluster`.
    public func make(_ cfg: ClusterConfig, seed: UInt64, options: ExecutorOptions) throws -> any Cluster {
        if let a = attached {
            attached = nil
            lastWasUDP = true
            return a
        }
        let c = options.clusterOverride.apply(to: cfg)
        guard forceUDP || c.transport == .udp else {
            let sim = try Executor.simulated(c, seed: seed)
            shutdownAll()
            lastWasUDP = false
            return sim
        }
        var o = UDPClusterOptions(nodes: c.nodes, seed: seed, fsync: fsync)
        if let e = c.election { o.election = .nanoseconds(Int64(e.lowerBound)) ... .nanoseconds(Int64(e.upperBound)) }
        if let h = c.heartbeat { o.heartbeat = .nanoseconds(Int64(h)) }
        let udp = try UDPCluster(options: o)
        shutdownAll()
        live.append(udp)
        lastWasUDP = true
        return udp
    }

    /// End every node process of every UDP cluster made so far.
    public func shutdownAll() {
        for c in live { c.shutdown() }
        live.removeAll()
    }

    deinit { shutdownAll() }
}
