import Foundation
import RaftCore
import ClusterModel
import Wire

// `hold`, `release`, `drop held` and `held` on an exec cluster: the router holds the lines nodes
// send each other, in the same `MessageHolds` the simulator uses. A message's kind is its Maelstrom
// body `type` (raftd --maelstrom names its messages by Raft kind: `append`, `vote`, ...). There is
// no `step`: time is real.

extension ExecCluster: MessageControl {
    /// Any word may be a foreign node's message type.
    public var messageKinds: [String]? { nil }

    public func hold(_ links: [Link], kinds: Set<String>?) throws(ClusterError) {
        onLoop { for link in links { self.router.holds.hold(link, kinds: kinds) } }
    }

    public func release(_ links: [Link]) -> [HeldMessage] {
        (onLoop { self.router.release(links) } ?? []).map(Self.held)
    }

    public func dropHeld(_ links: [Link]) -> [HeldMessage] {
        (onLoop { self.router.dropHeld(links) } ?? []).map(Self.held)
    }

    public func heldMessages(on links: [Link]?) -> [HeldMessage] {
        (onLoop { self.router.holds.held(on: links) } ?? []).map(Self.held)
    }

    public var holds: [(link: Link, kinds: Set<String>?)] { onLoop { self.router.holds.rulesInForce } ?? [] }

    /// A held line as one line of text: the Raft message when it is raftd's, else its type and body.
    private static func held(_ h: ExecRouter.HeldLine) -> HeldMessage {
        var text: String
        if let encoded = h.message.body["m"]?.stringValue, let data = Data(base64Encoded: encoded),
           case .raft(let m)? = try? WireCodec.decode(Array(data)) {
            text = m.description
        } else {
            text = "n\(h.from) -> n\(h.to) \(h.message.type) " + h.message.line
            if text.count > 160 { text = String(text.prefix(157)) + "..." }
        }
        return HeldMessage(from: h.from, to: h.to, kind: h.message.type, description: text)
    }
}
