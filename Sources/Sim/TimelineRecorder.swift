import RaftCore
import Check
import ClusterModel

/// Records a simulated run's timeline as it goes (see `Timeline`): each change of a node's process,
/// role or term, the marks of crashes, restarts and pauses, the network's phases and, when
/// `recordsMessages` is set, every message sent between servers (up to `messageLimit`).
public final class TimelineRecorder {
    /// Record messages too.
    public var recordsMessages = false
    /// Messages beyond this many are not recorded.
    public var messageLimit = 100_000
    private(set) var states: [Timeline.State] = []
    private var last = NodeSlots<Timeline.State>()
    private(set) var marks: [Timeline.Mark] = []
    private(set) var network: [Timeline.NetworkPhase] = []
    private(set) var messages: [Timeline.Arrow] = []

    init() {}

    /// Node `node` is `process`, with `role` in `term`; recorded only when something changed.
    func noteState(_ node: NodeID, process: NodeState, role: Role?, term: Term, at time: Timestamp) {
        if let l = last[node], l.process == process, l.role == role, l.term == term { return }
        let s = Timeline.State(node: node, time: time, process: process, role: role, term: term)
        last[node] = s
        states.append(s)
    }

    /// Something was done to node `node`'s process.
    func mark(_ node: NodeID, _ kind: Timeline.MarkKind, at time: Timestamp) {
        marks.append(Timeline.Mark(node: node, time: time, kind: kind))
    }

    /// The network became `model`.
    func noteNetwork(_ model: NetworkModel, nodes: [NodeID], at time: Timestamp) {
        var cutOff = Set<NodeID>()
        let majority = nodes.count / 2 + 1
        for a in nodes {
            let reach = nodes.filter { b in model.connected(a, b) && model.connected(b, a) }.count
            if reach < majority { cutOff.insert(a) }
        }
        let phase = Timeline.NetworkPhase(time: time, summary: model.summary, cutOff: cutOff,
                                          blocked: model.blocked.sorted())
        if let l = network.last, l.time == time { network[network.count - 1] = phase } else { network.append(phase) }
    }

    /// `m` was sent at `time`; copies arrive after `delays` (none: lost).
    func noteMessage(_ m: Message, at time: Timestamp, delays: Deliveries) {
        guard recordsMessages, messages.count < messageLimit else { return }
        if delays.isEmpty {
            messages.append(Timeline.Arrow(from: m.from, to: m.to, kind: m.kind, sent: time, arrives: nil, label: m.description))
        }
        for d in delays {
            messages.append(Timeline.Arrow(from: m.from, to: m.to, kind: m.kind, sent: time, arrives: time + d, label: m.description))
        }
    }

    /// The timeline recorded so far.
    func timeline(title: String, nodes: [NodeID], end: Timestamp, operations: [HistoryOperation]) -> Timeline {
        Timeline(title: title, nodes: nodes, end: end, states: states, marks: marks, network: network,
                 operations: operations, messages: messages, messagesRecorded: recordsMessages)
    }
}
