import RaftCore
import KV
import Check
import Sim

/// What the executor needs from a cluster. The simulator implements it (`SimCluster`); real UDP
/// nodes implement it in their own adapter. Times are nanoseconds: virtual in simulation.
public protocol Cluster: AnyObject {
    /// One line for the `cluster` command's answer, e.g. "5 simulated nodes, seed 42".
    var summary: String { get }
    var nodeIDs: [NodeID] { get }
    var seed: UInt64 { get }
    /// Time since the cluster started.
    var now: UInt64 { get }
    /// Steps taken so far (simulated events).
    var steps: Int { get }
    /// The leader of the highest term among nodes that are not crashed.
    var leader: NodeID? { get }
    /// The highest term among nodes that are not crashed.
    var term: Term { get }
    var isConverged: Bool { get }
    func status(of id: NodeID) -> NodeStatus
    /// The log of a running node (nil when it is down).
    func logEntries(of id: NodeID) -> [Entry]?
    /// `key` in node `id`'s state machine: nil when the node is down, .some(nil) when unset.
    func appliedValue(_ key: String, on id: NodeID) -> String??
    /// Run one client operation to its end.
    func perform(_ op: KVOperation, via: NodeID?, timeout: UInt64) -> OperationResult

    /// Process faults. They throw when this cluster cannot do them (real nodes it did not start,
    /// a node that would not come back); the simulator never throws.
    func crash(_ id: NodeID) throws(ClusterError)
    func restart(_ id: NodeID) throws(ClusterError)
    func pause(_ id: NodeID) throws(ClusterError)
    func resume(_ id: NodeID) throws(ClusterError)
    /// Replace the cut with these groups.
    func partition(_ groups: [[NodeID]])
    func isolate(_ id: NodeID)
    func block(from: NodeID, to: NodeID)
    func heal()
    /// Change loss / duplication / delay on every link (`links` nil) or on the given links.
    func setFaults(links: [(NodeID, NodeID)]?, loss: Double?, duplicate: Double?, delay: ClosedRange<UInt64>?)

    /// Let time pass.
    func wait(_ duration: UInt64)
    /// Let time pass until `condition` holds (checked after every step) or `limit` passes.
    func wait(until condition: () -> Bool, within limit: UInt64) -> Bool

    /// Every client operation so far.
    var history: History { get }
    /// The first broken safety invariant, if any.
    var violation: Violation? { get }
    /// A seeded choice in 0..<n (for `follower`).
    func choose(_ n: Int) -> Int
    /// Receives a line per message and state change while set.
    var trace: ((String) -> Void)? { get set }
    /// Polled while time passes; returning true (Ctrl-C) cuts waits short.
    var interruptCheck: (() -> Bool)? { get set }
    /// Whether the last wait was cut short by `interruptCheck`; reading it clears it.
    func takeInterrupted() -> Bool

    /// Start a background workload; throws with a message when one is running or the spec is bad.
    func startWorkload(_ spec: WorkloadSpec) throws(SimConfigError)
    /// Stop the background workload (operations in flight become unanswered).
    func stopWorkload()
    /// The running or last workload.
    var workload: (any WorkloadRun)? { get }
    /// Whether `messagesSent` and `leaderHistory` are recorded (the simulator's are; real nodes' are not).
    var recordsNetwork: Bool { get }
    /// Server-to-server messages sent so far.
    var messagesSent: Int { get }
    /// Replies that reached a client for an operation already finished.
    var duplicateReplies: Int { get }
    var leaderHistory: [LeaderSpan] { get }
}

/// Why a cluster could not do what a line asked (e.g. kill a node it did not start).
public struct ClusterError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The simulator as a `Cluster`.
public final class SimulatedCluster: Cluster {
    public let sim: SimCluster
    /// The running or last workload (the simulator's own type).
    public private(set) var simWorkload: Workload?
    public var workload: (any WorkloadRun)? { simWorkload }
    private var workloadCount = 0

    public init(config: SimConfig) throws(SimConfigError) {
        sim = try SimCluster(config: config)
    }

    public var summary: String {
        "\(sim.config.nodes) simulated nodes, seed \(sim.config.seed)"
    }
    public var nodeIDs: [NodeID] { sim.nodeIDs }
    public var seed: UInt64 { sim.config.seed }
    public var now: UInt64 { sim.now }
    public var steps: Int { sim.stats.events }
    public var leader: NodeID? { sim.leader }
    public var term: Term { sim.term }
    public var isConverged: Bool { sim.isConverged }
    public func status(of id: NodeID) -> NodeStatus { sim.status(of: id) }
    public func logEntries(of id: NodeID) -> [Entry]? {
        guard let r = sim.node(id).raft else { return nil }
        return Array(r.log.entries)
    }
    public func appliedValue(_ key: String, on id: NodeID) -> String?? { sim.appliedValue(key, on: id) }
    public func perform(_ op: KVOperation, via: NodeID?, timeout: UInt64) -> OperationResult {
        sim.perform(op, via: via, timeout: timeout)
    }
    public func crash(_ id: NodeID) { sim.crash(id) }
    public func restart(_ id: NodeID) { sim.restart(id) }
    public func pause(_ id: NodeID) { sim.pause(id) }
    public func resume(_ id: NodeID) { sim.resume(id) }
    public func partition(_ groups: [[NodeID]]) { sim.partition(groups) }
    public func isolate(_ id: NodeID) { sim.network.isolate(id) }
    public func block(from: NodeID, to: NodeID) { sim.network.block(Sim.Link(from, to)) }
    public func heal() { sim.heal() }

    public func setFaults(links: [(NodeID, NodeID)]?, loss: Double?, duplicate: Double?, delay: ClosedRange<UInt64>?) {
        func update(_ f: inout LinkFaults) {
            if let loss { f.loss = loss }
            if let duplicate { f.duplicate = duplicate }
            if let delay { f.extraDelay = delay }
        }
        guard let links else {
            update(&sim.network.faults)
            return
        }
        for (a, b) in links {
            let link = Sim.Link(a, b)
            var f = sim.network.linkFaults[link] ?? LinkFaults()
            update(&f)
            sim.network.setFaults(f, on: link)
        }
    }

    public func wait(_ duration: UInt64) { sim.run(for: duration) }
    public func wait(until condition: () -> Bool, within limit: UInt64) -> Bool {
        withoutActuallyEscaping(condition) { c in sim.run(until: sim.now + limit, stop: c) }
    }

    public var history: History { sim.history }
    public var violation: Violation? { sim.violation }
    public func choose(_ n: Int) -> Int { Int(sim.choiceRNG.next(upperBound: UInt64(n))) }
    public var trace: ((String) -> Void)? {
        get { sim.traceSink }
        set { sim.traceSink = newValue }
    }

    public var interruptCheck: (() -> Bool)? {
        get { sim.interruptCheck }
        set { sim.interruptCheck = newValue }
    }
    public func takeInterrupted() -> Bool {
        defer { sim.interrupted = false }
        return sim.interrupted
    }

    public func startWorkload(_ spec: WorkloadSpec) throws(SimConfigError) {
        if let w = simWorkload, w.running { throw SimConfigError("a workload is already running; `workload stop` first") }
        // Each workload gets fresh client ids so histories of successive workloads never mix.
        let w = try Workload(cluster: sim, spec: spec, firstClient: ClientID(100 + 100 * workloadCount))
        workloadCount += 1
        simWorkload = w
        w.start()
    }

    public func stopWorkload() { simWorkload?.stop() }
    public var recordsNetwork: Bool { true }
    public var messagesSent: Int { sim.stats.messagesSent }
    public var duplicateReplies: Int { sim.stats.duplicateReplies }
    public var leaderHistory: [LeaderSpan] { sim.leaderHistory }
}
