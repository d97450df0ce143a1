import RaftCore

/// The holds of `hold [KIND] A -> B`, for any cluster that routes messages itself: which kinds of
/// message each link holds, and the items held there, oldest first. A kind is a word: a Raft message
/// kind (`append`, see `Message.Kind.word`) in the simulator, a Maelstrom body `type` on an exec
/// cluster. Links are kept in order so that nothing depends on hashing.
///
/// The routers' per-message calls (`isEmpty`, `take`) are inlinable so that they are specialized in
/// the simulator's hot path rather than called through generic metadata.
public struct MessageHolds<Item> {
    @usableFromInline
    struct Rule {
        @usableFromInline var everyKind = false
        @usableFromInline var kinds: Set<String> = []
        @inlinable init() {}
        @inlinable func matches(_ kind: String) -> Bool { everyKind || kinds.contains(kind) }
    }

    @usableFromInline var rules: [Link: Rule] = [:]
    @usableFromInline var queues: [Link: [Item]] = [:]

    /// No holds.
    public init() {}

    /// Whether no link holds anything (the fast path of a router).
    @inlinable public var isEmpty: Bool { rules.isEmpty }

    /// Hold `kinds` (nil: every kind) on `link`, on top of what it holds already.
    public mutating func hold(_ link: Link, kinds: Set<String>?) {
        var rule = rules[link] ?? Rule()
        if let kinds { rule.kinds.formUnion(kinds) } else { rule.everyKind = true }
        rules[link] = rule
    }

    /// Queue `item` (a message of `kind` on `link`) if the link holds that kind; returns whether it did.
    @inlinable
    public mutating func take(_ item: Item, on link: Link, kind: String) -> Bool {
        guard let rule = rules[link], rule.matches(kind) else { return false }
        queues[link, default: []].append(item)
        return true
    }

    /// Stop holding on `link`; returns what was held there, oldest first.
    public mutating func end(_ link: Link) -> [Item] {
        rules[link] = nil
        return queues.removeValue(forKey: link) ?? []
    }

    /// Stop holding on each of `links`; returns what was held there, link by link, oldest first.
    public mutating func end(_ links: [Link]) -> [Item] { links.flatMap { end($0) } }

    /// What `link` holds now, oldest first.
    public func held(on link: Link) -> [Item] { queues[link] ?? [] }

    /// What `links` hold now (nil: every link, in order), link by link, oldest first.
    public func held(on links: [Link]?) -> [Item] { (links ?? self.links).flatMap { held(on: $0) } }

    /// Links with a hold or with items held, in order.
    public var links: [Link] { Set(rules.keys).union(queues.keys).sorted() }

    /// The kinds `link` holds: nil for every kind, empty for none.
    public func kinds(on link: Link) -> Set<String>? {
        guard let rule = rules[link] else { return [] }
        return rule.everyKind ? nil : rule.kinds
    }

    /// The holds in force, links in order, with the kinds held (nil: every kind).
    public var rulesInForce: [(link: Link, kinds: Set<String>?)] {
        rules.keys.sorted().map { ($0, kinds(on: $0)) }
    }
}

/// A message held on a link, as the cluster that holds it can describe it.
public struct HeldMessage: Sendable, Hashable, CustomStringConvertible {
    /// Its sender and receiver.
    public var from: NodeID
    public var to: NodeID
    /// Its kind word: a Raft message kind (`append`), or a foreign node's Maelstrom body `type`.
    public var kind: String
    /// One line saying what it is.
    public var description: String

    /// A held message.
    public init(from: NodeID, to: NodeID, kind: String, description: String) {
        self.from = from
        self.to = to
        self.kind = kind
        self.description = description
    }
}
