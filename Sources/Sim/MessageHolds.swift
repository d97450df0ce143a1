import RaftCore
import ClusterModel

/// The holds of `hold [KIND] A -> B`: which kinds of message each link holds, and the messages held
/// there, oldest first. Links are kept in order so that nothing depends on hashing.
struct MessageHolds {
    private var rules: [Link: Set<Message.Kind>] = [:]
    private var queues: [Link: [Message]] = [:]

    /// Whether no link holds anything (the simulator's fast path).
    var isEmpty: Bool { rules.isEmpty }

    /// Hold `kinds` (nil: every kind) on `link`, on top of what it holds already.
    mutating func hold(_ link: Link, kinds: Set<Message.Kind>?) {
        rules[link, default: []].formUnion(kinds ?? Set(Message.Kind.allCases))
    }

    /// Queue `m` if its link holds its kind; returns whether it did.
    mutating func take(_ m: Message) -> Bool {
        let link = Link(m.from, m.to)
        guard let kinds = rules[link], kinds.contains(m.kind) else { return false }
        queues[link, default: []].append(m)
        return true
    }

    /// Stop holding on `link`; returns what was held there, oldest first.
    mutating func end(_ link: Link) -> [Message] {
        rules[link] = nil
        return queues.removeValue(forKey: link) ?? []
    }

    /// What `link` holds now, oldest first.
    func held(on link: Link) -> [Message] { queues[link] ?? [] }

    /// Links with a hold or with messages held, in order.
    var links: [Link] { Set(rules.keys).union(queues.keys).sorted() }

    /// The kinds `link` holds (nil: every kind; empty: none).
    func kinds(on link: Link) -> Set<Message.Kind>? {
        guard let k = rules[link] else { return [] }
        return k.count == Message.Kind.allCases.count ? nil : k
    }
}
