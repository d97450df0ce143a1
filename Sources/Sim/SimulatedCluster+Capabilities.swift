import RaftCore
import Check
import ClusterModel

// The simulator's message-level control and timeline, as `Cluster` capabilities.

extension SimulatedCluster: MessageControl {
    public func hold(_ links: [Link], kinds: Set<Message.Kind>?) { sim.hold(links, kinds: kinds) }
    public func release(_ links: [Link]) -> [Message] { sim.release(links) }
    public func dropHeld(_ links: [Link]) -> [Message] { sim.dropHeld(links) }
    public func heldMessages(on links: [Link]?) -> [Message] { sim.heldMessages(on: links) }
    public var holds: [(link: Link, kinds: Set<Message.Kind>?)] { sim.heldLinks }
    public func step(within limit: Timestamp) -> [String] { sim.step(within: limit) }
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
