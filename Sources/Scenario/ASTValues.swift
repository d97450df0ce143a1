import ClusterModel
import RaftCore

/// Options of a client operation: `via NODE` sends to that node only,
/// `timeout DURATION` bounds the wait.
public struct ClientOptions: Sendable, Hashable {
    /// The single node to send to, or nil to find the leader.
    public var via: NodeSelector?
    /// The time bound in nanoseconds, or nil for the executor's default.
    public var timeout: UInt64?

    /// Creates client options.
    public init(via: NodeSelector? = nil, timeout: UInt64? = nil) {
        self.via = via
        self.timeout = timeout
    }
}

/// A directed link `FROM -> TO` (each side may name several nodes).
public struct Link: Sendable, Hashable {
    /// Senders.
    public var from: NodeSelector
    /// Receivers.
    public var to: NodeSelector

    /// Creates a link.
    public init(from: NodeSelector, to: NodeSelector) {
        self.from = from
        self.to = to
    }
}

/// `cluster N [seed N] [election D..D] [heartbeat D] [latency D..D] [disk D..D] [udp [netns] [background-writes] | exec "CMD"]`.
/// Durations in nanoseconds; nil means the executor's default.
public struct ClusterConfig: Sendable, Hashable {
    /// Simulated nodes, local `raftd` processes over UDP, or processes of a command speaking
    /// Maelstrom's protocol.
    public enum Transport: String, Sendable, Hashable {
        case simulated
        case udp
        case exec
    }

    /// Number of nodes (ids 1...nodes).
    public var nodes: Int
    /// The PRNG seed.
    public var seed: UInt64?
    /// The election timeout range.
    public var election: ClosedRange<UInt64>?
    /// The heartbeat interval.
    public var heartbeat: UInt64?
    /// The network latency range.
    public var latency: ClosedRange<UInt64>?
    /// `disk D..D` (simulated only): nodes write in the background, a write taking this long
    /// (`SimConfig.diskLatency`); nil: every write is done at once.
    public var disk: ClosedRange<UInt64>?
    /// Simulated (default) or UDP.
    public var transport: Transport
    /// `udp netns`: each node in a network namespace of its own, with faults made by the kernel.
    public var netns: Bool
    /// `udp background-writes`: each raftd runs with `--background-writes` (a leader's log writes
    /// on a writer thread, `NodeConfig.backgroundWrites`).
    public var backgroundWrites = false
    /// `exec "CMD"`: the command that starts one node.
    public var command: String?
    /// `snapshot-every N`: nodes take a snapshot every N applied entries (nil: the kind's default,
    /// none in simulation, raftd's own for udp).
    public var snapshotEvery: UInt64?
    /// A known Raft mistake switched on (simulated clusters only), or nil.
    public var bug: KnownBug?

    /// Creates a cluster configuration.
    public init(nodes: Int, seed: UInt64? = nil, election: ClosedRange<UInt64>? = nil,
                heartbeat: UInt64? = nil, latency: ClosedRange<UInt64>? = nil, transport: Transport = .simulated,
                netns: Bool = false, command: String? = nil, bug: KnownBug? = nil) {
        self.bug = bug
        self.nodes = nodes
        self.seed = seed
        self.election = election
        self.heartbeat = heartbeat
        self.latency = latency
        self.transport = transport
        self.netns = netns
        self.command = command
        if command != nil { self.transport = .exec }
    }
}

/// `workload start clients N [requests N] [ratio R] [keys N] [rate N/s] [value-size B]`;
/// nil means the executor's default.
public struct WorkloadConfig: Sendable, Hashable {
    /// Number of concurrent clients.
    public var clients: Int
    /// Requests in all, across every client.
    public var requests: Int?
    /// Share of requests that are gets, 0...1.
    public var ratio: Double?
    /// Number of distinct keys.
    public var keys: Int?
    /// Requests started per second, across every client.
    public var rate: Double?
    /// Bytes per value written.
    public var valueSize: Int?
    /// `ops get:6,put:2,...`: the operations and their weights (nil: `ratio`'s gets and puts).
    public var mix: [WorkloadMixItem]?

    /// Creates a workload configuration.
    public init(clients: Int, requests: Int? = nil, ratio: Double? = nil, keys: Int? = nil, rate: Double? = nil,
                valueSize: Int? = nil) {
        self.valueSize = valueSize
        self.clients = clients
        self.requests = requests
        self.ratio = ratio
        self.keys = keys
        self.rate = rate
    }
}

/// One operation of `ops` and its weight.
public struct WorkloadMixItem: Sendable, Hashable {
    public var operation: WorkloadOperation
    public var weight: Double
    public init(operation: WorkloadOperation, weight: Double) {
        self.operation = operation
        self.weight = weight
    }
    /// `get:6`, or `get` for weight 1.
    public var sourceText: String {
        weight == 1 ? operation.rawValue : operation.rawValue + ":" + Literals.formatNumber(weight)
    }
}

/// What `let NAME = ...` captures.
public enum LetValue: Sendable, Hashable {
    /// `let T = term`: the current term (highest among up nodes).
    case term
    /// `let L = leader`, `let F = follower`, `let G = 1,2`: the nodes it resolves to now.
    case nodes(NodeSelector)
}

/// The right-hand side of `get KEY == ...` and `applied KEY == ...`.
public enum ExpectedValue: Sendable, Hashable {
    /// A value (`1`, `hello`, `"two words"`; `"none"` quoted is the string none).
    case value(String)
    /// `none`: the key is absent.
    case none

    /// Whether `value` (nil: absent) is what this expects.
    func matches(_ value: String?) -> Bool {
        switch self {
        case .none: return value == nil
        case .value(let expected): return value == expected
        }
    }
}

/// The value compared in `metric NAME OP VALUE`.
public enum MetricValue: Sendable, Hashable {
    /// A number such as `0`, `12.5`.
    case number(Double)
    /// A duration in nanoseconds such as `50ms`.
    case duration(UInt64)
    /// A percentage such as `5%`.
    case percent(Double)
}

/// A number in a condition: a literal or a variable from `let`.
public enum IntOperand: Sendable, Hashable {
    /// A literal integer.
    case literal(Int)
    /// `$NAME` (the name without `$`).
    case variable(String)
}

/// A Raft role, as compared by `expect role N == ROLE`.
public enum NodeRole: String, Sendable, Hashable, CaseIterable {
    case follower
    case precandidate
    case candidate
    case leader
}
