import RaftCore
import ClusterModel
import Sim
import Harness

/// Makes the cluster for each `cluster` line (and for a script's default cluster): the simulator,
/// local `raftd` processes when the line says `udp` or `forceUDP` is set, or processes of a
/// Maelstrom node command when the line says `exec "CMD"` or `forceExec` is set. It ends the
/// previous cluster's processes when a new cluster replaces it, and every one at `shutdownAll`.
public final class ClusterFactory {
    /// Every cluster line becomes UDP (`raftsh --udp`, `raftsh run --udp`).
    public var forceUDP: Bool
    /// Every UDP cluster runs in network namespaces (`--netns`).
    public var forceNetns: Bool
    /// Every cluster line becomes exec with this node command (`raftsh --exec CMD`, `raftsh run --exec CMD`).
    public var forceExec: String?
    /// Sync nodes' logs (`--no-fsync` turns it off).
    public var fsync: Bool
    /// Every UDP cluster's raftd runs with `--background-writes` (`raftsh run --background-writes`).
    public var backgroundWrites: Bool
    /// Returned for the first cluster asked for (the session's default), then forgotten: the
    /// nodes of `raftsh --connect`.
    public var attached: (any Cluster)?
    /// The kind of the last cluster made.
    public private(set) var lastKind: ClusterKind?
    private var live: [any Cluster] = []

    public init(forceUDP: Bool = false, forceNetns: Bool = false, forceExec: String? = nil, fsync: Bool = true,
                backgroundWrites: Bool = false, attached: (any Cluster)? = nil) {
        self.backgroundWrites = backgroundWrites
        self.forceExec = forceExec
        self.forceUDP = forceUDP || forceNetns
        self.forceNetns = forceNetns
        self.fsync = fsync
        self.attached = attached
        if let attached { live.append(attached) }
    }

    /// Whether the last cluster made ran raftd processes.
    public var lastWasUDP: Bool { lastKind == .udp }

    /// For `Executor.makeCluster` and `ScenarioRunner.makeCluster`.
    public func make(_ cfg: ClusterConfig, seed: UInt64, options: ExecutorOptions) throws -> any Cluster {
        if let a = attached {
            attached = nil
            lastKind = a.kind
            return a
        }
        let c = options.clusterOverride.apply(to: cfg)
        let made: any Cluster
        let remote = (forceExec ?? c.command) != nil ? "exec" : (forceUDP || c.transport == .udp ? "udp" : nil)
        if let bug = c.bug, let remote {
            throw ClusterError("`bug \(bug.name)` exists in simulated clusters only; a \(remote) cluster's nodes have no known-bug switches")
        }
        if let command = forceExec ?? c.command {
            made = try ExecCluster(options: ExecClusterOptions(nodes: c.nodes, seed: seed, command: command))
        } else if forceUDP || c.transport == .udp {
            var o = UDPClusterOptions(nodes: c.nodes, seed: seed, fsync: fsync, networkNamespaces: forceNetns || c.netns)
            if let e = c.election { o.election = .nanoseconds(Int64(e.lowerBound)) ... .nanoseconds(Int64(e.upperBound)) }
            if let h = c.heartbeat { o.heartbeat = .nanoseconds(Int64(h)) }
            o.snapshotEvery = c.snapshotEvery
            o.backgroundWrites = backgroundWrites || c.backgroundWrites
            made = try UDPCluster(options: o)
        } else {
            made = try Executor.simulated(c, seed: seed, recordMessages: options.recordMessages)
        }
        shutdownAll()
        live.append(made)
        lastKind = made.kind
        return made
    }

    /// End every process of every cluster made so far.
    public func shutdownAll() {
        for c in live { c.shutdown() }
        live.removeAll()
    }

    deinit { shutdownAll() }
}
