import RaftCore
import ClusterModel

// Message-level control: holds on links, release in order, and single steps (`hold`, `release`,
// `drop held`, `held`, `step`).

extension SimCluster {
    /// Hold messages of `kinds` (nil: every kind) on `links`; messages already in flight are held
    /// when they arrive.
    public func hold(_ links: [Link], kinds: Set<Message.Kind>?) {
        for link in links { holds.hold(link, kinds: kinds.map { Set($0.map(\.word)) }) }
    }

    /// Stop holding on `links` and deliver what they held now, link by link, oldest first (a
    /// message whose link is cut by then, or whose receiver is down, is lost as usual).
    @discardableResult
    public func release(_ links: [Link]) -> [Message] {
        var delivered: [Message] = []
        for link in links {
            for m in holds.end(link) {
                delivered.append(m)
                handle(.raft(slot: inFlight.put(m)))
            }
        }
        return delivered
    }

    /// Stop holding on `links` and discard what they held.
    @discardableResult
    public func dropHeld(_ links: [Link]) -> [Message] {
        holds.end(links)
    }

    /// The messages held on `links` (nil: every link), oldest first per link.
    public func heldMessages(on links: [Link]?) -> [Message] {
        holds.held(on: links)
    }

    /// The holds in force, links in order, with the kinds held (nil: every kind).
    public var heldLinks: [(link: Link, kinds: Set<Message.Kind>?)] {
        holds.rulesInForce.map { rule in (rule.link, rule.kinds.map { Set($0.compactMap(Message.Kind.init(word:))) }) }
    }

    /// Run events until one can be seen in the trace (a message delivered or held, a reply, a role
    /// change) or `limit` passes, and return the trace lines it made. Ticks that only send are not
    /// seen: their messages are, when they arrive.
    public func step(within limit: SimTime) -> [String] {
        var lines: [String] = []
        let saved = traceSink
        traceSink = { line in
            lines.append(line)
            saved?(line)
        }
        defer { traceSink = saved }
        let deadline = now + limit
        while lines.isEmpty, runNext(until: deadline) {}
        return lines
    }
}

extension MessageHolds where Item == Message {
    /// Queue `m` if its link holds its kind; returns whether it did.
    mutating func take(_ m: Message) -> Bool { take(m, on: Link(m.from, m.to), kind: m.kind.word) }
}
