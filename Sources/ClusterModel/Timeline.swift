import RaftCore
import KV
import Check

/// What happened in a run, as a picture shows it (`timeline FILE.html`, `raftsh run --timeline`):
/// each node's role and term over time, crashes, restarts and pauses, the cuts of the network,
/// client operations and, when recorded, messages between servers. Times are nanoseconds since the
/// cluster started. A history alone (`raftsh check --timeline`) makes a timeline with no nodes.
public struct Timeline: Sendable {
    /// A node's state from `time` on, until the node's next entry in `states`.
    public struct State: Sendable, Hashable {
        public var node: NodeID
        public var time: Timestamp
        /// Up, down or paused.
        public var process: NodeState
        /// The role while up or paused; nil while down.
        public var role: Role?
        public var term: Term
        public init(node: NodeID, time: Timestamp, process: NodeState, role: Role?, term: Term) {
            self.node = node
            self.time = time
            self.process = process
            self.role = role
            self.term = term
        }
    }

    /// Something done to a node's process.
    public enum MarkKind: String, Sendable, Hashable {
        case crash, restart, pause, resume
    }

    /// A mark on a node's lane.
    public struct Mark: Sendable, Hashable {
        public var node: NodeID
        public var time: Timestamp
        public var kind: MarkKind
        public init(node: NodeID, time: Timestamp, kind: MarkKind) {
            self.node = node
            self.time = time
            self.kind = kind
        }
    }

    /// The network's cuts and faults from `time` on, until the next phase.
    public struct NetworkPhase: Sendable, Hashable {
        public var time: Timestamp
        /// `no faults`, or the cuts and faults in force (`NetworkModel.summary`).
        public var summary: String
        /// For each node, whether it is cut off from a majority of the nodes by the symmetric cuts.
        public var cutOff: Set<NodeID>
        /// One-way blocks.
        public var blocked: [Link]
        public init(time: Timestamp, summary: String, cutOff: Set<NodeID>, blocked: [Link]) {
            self.time = time
            self.summary = summary
            self.cutOff = cutOff
            self.blocked = blocked
        }
        /// Whether nothing is cut or degraded.
        public var isClear: Bool { summary == "no faults" }
    }

    /// One message between servers: sent at `sent`, arriving at `arrives` (nil: lost).
    public struct Arrow: Sendable, Hashable {
        public var from: NodeID
        public var to: NodeID
        public var kind: Message.Kind
        public var sent: Timestamp
        public var arrives: Timestamp?
        /// The message as the trace prints it.
        public var label: String
        public init(from: NodeID, to: NodeID, kind: Message.Kind, sent: Timestamp, arrives: Timestamp?, label: String) {
            self.from = from
            self.to = to
            self.kind = kind
            self.sent = sent
            self.arrives = arrives
            self.label = label
        }
    }

    /// A heading for the picture.
    public var title: String
    /// The nodes, one lane each (none for a history alone).
    public var nodes: [NodeID]
    /// The end of the recorded time.
    public var end: Timestamp
    /// Every change of a node's process, role or term, in time order.
    public var states: [State]
    /// Crashes, restarts, pauses and resumes, in time order.
    public var marks: [Mark]
    /// The network's phases, in time order (the first at time 0).
    public var network: [NetworkPhase]
    /// The client operations.
    public var operations: [HistoryOperation]
    /// The messages, when recorded.
    public var messages: [Arrow]
    /// Whether messages were recorded (the picture offers them only then).
    public var messagesRecorded: Bool
    /// Lines printed under the title (what failed, the seed).
    public var notes: [String]
    /// A time to mark with a line (where a run failed).
    public var highlight: Timestamp?

    /// A timeline with every field given (empty lists by default).
    public init(title: String, nodes: [NodeID], end: Timestamp, states: [State] = [], marks: [Mark] = [],
                network: [NetworkPhase] = [], operations: [HistoryOperation] = [], messages: [Arrow] = [],
                messagesRecorded: Bool = false, notes: [String] = [], highlight: Timestamp? = nil) {
        self.title = title
        self.nodes = nodes
        self.end = end
        self.states = states
        self.marks = marks
        self.network = network
        self.operations = operations
        self.messages = messages
        self.messagesRecorded = messagesRecorded
        self.notes = notes
        self.highlight = highlight
    }
}
