import RaftCore
import KV
import Check

/// The kinds of cluster the language drives, named in "not available on … clusters" errors.
public enum ClusterKind: String, Sendable, Hashable {
    /// The deterministic simulator.
    case simulated
    /// Local `raftd` processes over UDP.
    case udp
    /// Foreign processes speaking Maelstrom's protocol on stdin/stdout.
    case exec
}

/// What every kind of cluster does: its members and their status, client operations, time,
/// the client history and background workloads. Everything else is a capability a cluster may
/// have (`ProcessControl`, `NetworkControl`, `StateInspection`, `InvariantChecking`,
/// `NetworkRecording`); the executor asks for the one a line needs and, where it is missing,
/// fails the line with `ClusterError.unavailable`, never with a silent pass.
///
/// Times are nanoseconds since the cluster started: virtual in simulation, real elsewhere.
public protocol Cluster: AnyObject {
    /// Which kind of cluster this is.
    var kind: ClusterKind { get }
    /// One line for the `cluster` command's answer, e.g. "5 simulated nodes, seed 42".
    var summary: String { get }
    var nodeIDs: [NodeID] { get }
    /// The seed of the cluster's choices (`follower`) and, in simulation, of everything.
    var seed: UInt64 { get }
    /// Time since the cluster started.
    var now: Timestamp { get }
    /// Steps taken so far (simulated events; client operations elsewhere).
    var steps: Int { get }
    /// Node `id` as a status table shows it; what the cluster cannot know is nil.
    func status(of id: NodeID) -> NodeStatus
    /// Run one client operation to its end.
    func perform(_ op: KVOperation, via: NodeID?, timeout: Timestamp) -> OperationResult
    /// Let time pass.
    func wait(_ duration: Timestamp)
    /// Let time pass until `condition` holds (checked after every step) or `limit` passes.
    func wait(until condition: () -> Bool, within limit: Timestamp) -> Bool
    /// Every client operation so far.
    var history: History { get }
    /// A seeded choice in 0..<n (for `follower`).
    func choose(_ n: Int) -> Int
    /// Receives a line per event while set (what the kind can see: every message in simulation).
    var trace: ((String) -> Void)? { get set }
    /// Polled while time passes; returning true (Ctrl-C) cuts waits short.
    var interruptCheck: (() -> Bool)? { get set }
    /// Whether the last wait was cut short by `interruptCheck`; reading it clears it.
    func takeInterrupted() -> Bool
    /// Start a background workload; throws with a message when one is running or the spec is bad.
    func startWorkload(_ spec: WorkloadSpec) throws(ClusterError)
    /// Stop the background workload (operations in flight become unanswered).
    func stopWorkload()
    /// The running or last workload.
    var workload: (any WorkloadRun)? { get }
    /// Replies that reached a client for an operation already finished.
    var duplicateReplies: Int { get }
    /// End everything the cluster started (processes, folders). Safe to call twice.
    func shutdown()
}

/// Crash, restart, pause and resume nodes.
public protocol ProcessControl: Cluster {
    /// Crash a node: its process is gone, unsynced writes are lost.
    func crash(_ id: NodeID) throws(ClusterError)
    /// Restart a crashed node from what it persisted.
    func restart(_ id: NodeID) throws(ClusterError)
    /// Freeze a node without crashing it.
    func pause(_ id: NodeID) throws(ClusterError)
    /// Unfreeze a paused node.
    func resume(_ id: NodeID) throws(ClusterError)
}

/// Cut and degrade the network between servers, through the one fault model.
public protocol NetworkControl: Cluster {
    /// The cuts and link faults in force.
    var network: NetworkModel { get }
    /// Change the fault model; the cluster makes the change real (in simulation at once; on real
    /// nodes by each node's transport rules). Throws when the change cannot be made.
    func updateNetwork(_ change: (inout NetworkModel) -> Void) throws(ClusterError)
}

/// The Raft state of every node can be read: roles, terms, logs, applied values.
public protocol StateInspection: Cluster {
    /// The log a running node holds (nil when it is down or does not answer).
    func logEntries(of id: NodeID) -> [Entry]?
    /// `key` in node `id`'s state machine: nil when the node is down, .some(nil) when unset.
    func appliedValue(_ key: String, on id: NodeID) -> String??
    /// Whether one leader leads and every running node has its log, fully committed and applied,
    /// with the same state machine.
    var isConverged: Bool { get }
}

extension StateInspection {
    /// The leader by `Leadership.leader(among:)`: of the highest term among nodes up and running.
    public var leader: NodeID? { Leadership.leader(among: nodeIDs.map(status(of:))) }
    /// The leader as conditions count it: only when it reaches a quorum (`Leadership`).
    /// The quorum is of the voters of the configuration in force at the leader where the cluster
    /// knows it, else of every node.
    public var leaderWithQuorum: NodeID? {
        let statuses = nodeIDs.map(status(of:))
        var members = nodeIDs
        if let l = Leadership.leader(among: statuses), let m = statuses.first(where: { $0.id == l })?.membership,
           !m.voters.isEmpty {
            members = m.voters
        }
        return Leadership.leaderWithQuorum(among: statuses, members: members,
                                           network: (self as? any NetworkControl)?.network)
    }
    /// The highest term among nodes that are not down.
    public var term: Term { Leadership.highestTerm(among: nodeIDs.map(status(of:))) }
}

/// Raft's safety invariants are checked as the cluster runs.
public protocol InvariantChecking: Cluster {
    /// The first broken safety invariant, if any.
    var violation: Violation? { get }
}

/// Messages between servers and leadership changes are recorded.
public protocol NetworkRecording: MessageCounting {
    /// Every node's terms as leader, in order.
    var leaderHistory: [LeaderSpan] { get }
}

/// Messages between servers can be held on a link, then released in order or dropped (`hold`,
/// `release`, `drop held`, `held`). Any cluster that routes its nodes' messages itself can do it:
/// the simulator, and an exec cluster (whose kinds are Maelstrom body types). `MessageHolds` is the
/// shared mechanism.
public protocol MessageControl: Cluster {
    /// The kind words this cluster's messages can have, when it knows them all (the simulator's Raft
    /// kinds); nil when any word may name a kind (a foreign node's message types).
    var messageKinds: [String]? { get }
    /// Hold messages of `kinds` (nil: every kind) on each of `links`: from now on such messages,
    /// including those already in flight, queue at the receiver's end instead of being delivered.
    /// Holding more kinds on a link adds to what it holds. Throws for a kind not in `messageKinds`.
    func hold(_ links: [Link], kinds: Set<String>?) throws(ClusterError)
    /// Stop holding on `links` and deliver what was held there, link by link in the order given,
    /// each link's messages in the order they arrived. Returns the messages delivered.
    func release(_ links: [Link]) -> [HeldMessage]
    /// Stop holding on `links` and discard what was held there. Returns the messages discarded.
    func dropHeld(_ links: [Link]) -> [HeldMessage]
    /// The messages held now on `links` (nil: on every link, links in order), oldest first per link.
    func heldMessages(on links: [Link]?) -> [HeldMessage]
    /// The holds in force, links in order: the kinds held on each (nil: every kind).
    var holds: [(link: Link, kinds: Set<String>?)] { get }
}

/// Time can advance one visible event at a time (`step`): only where time is virtual.
public protocol Stepping: Cluster {
    /// Run events until one does something that can be seen (a message delivered or held, a reply,
    /// a role change) or `limit` passes; returns what happened, one line each, with the time.
    func step(within limit: Timestamp) -> [String]
}

/// The cluster records a timeline as it runs: roles and terms per node, crashes, restarts and
/// pauses, cuts, client operations and, when asked, messages (`timeline FILE.html`).
public protocol TimelineRecording: Cluster {
    /// Whether messages between servers are recorded too (costly on long runs).
    var recordsMessages: Bool { get set }
    /// What was recorded up to now.
    var timeline: Timeline { get }
}

/// Messages between servers are counted (an exec cluster routes them all, so it counts them even
/// though it cannot tell who leads).
public protocol MessageCounting: Cluster {
    /// Server-to-server messages sent so far.
    var messagesSent: Int { get }
}

/// Each node's own log of what it did (a process's standard error), for `log N` on clusters that
/// cannot show a Raft log, and for failure reports.
public protocol ProcessLogs: Cluster {
    /// The last `lines` lines node `id` wrote to its log, nil if it has none.
    func processLog(of id: NodeID, lines: Int) -> String?
}
