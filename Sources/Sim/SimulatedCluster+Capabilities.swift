import RaftCore
import Check
import ClusterModel

// The simulator's message-level control and timeline, as `Cluster` capabilities.

extension SimulatedCluster: MessageControl, Stepping {
    public var messageKinds: [String]? { Message.Kind.allCases.map(\.word) }

    public func hold(_ links: [Link], kinds: Set<String>?) throws(ClusterError) {
        var typed: Set<Message.Kind>?
        if let kinds {
            typed = []
            for word in kinds.sorted() {
                guard let kind = Message.Kind(word: word) else {
                    throw ClusterError("a simulated cluster's messages have no kind \"\(word)\"; kinds: "
                        + Message.Kind.allCases.map(\.word).joined(separator: ", "))
                }
                typed?.insert(kind)
            }
        }
        sim.hold(links, kinds: typed)
    }

    public func release(_ links: [Link]) -> [HeldMessage] { sim.release(links).map(Self.held) }
    public func dropHeld(_ links: [Link]) -> [HeldMessage] { sim.dropHeld(links).map(Self.held) }
    public func heldMessages(on links: [Link]?) -> [HeldMessage] { sim.heldMessages(on: links).map(Self.held) }
    public var holds: [(link: Link, kinds: Set<String>?)] { sim.holds.rulesInForce }
    public func step(within limit: Timestamp) -> [String] { sim.step(within: limit) }

    private static func held(_ m: Message) -> HeldMessage {
        HeldMessage(from: m.from, to: m.to, kind: m.kind.word, description: m.description)
    }
}

extension SimulatedCluster: TimelineRecording {
    public var recordsMessages: Bool {
        get { sim.recorder.recordsMessages }
        set { sim.recorder.recordsMessages = newValue }
    }

    public var timeline: Timeline {
        var t = sim.recorder.timeline(title: summary, nodes: nodeIDs, end: now, operations: sim.history.operations)
        if let bug = sim.config.bug { t.notes.append("known bug switched on: \(bug.name) (\(bug.summary))") }
        return t
    }
}
