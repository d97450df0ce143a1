import RaftCore
import Check

/// The network between servers as a scenario describes it: latency, faults, partitions, one-way
/// blocks. The one fault model of every kind of cluster: the simulator draws each message's fate
/// from it, real nodes get their transport rules derived from it.
///
/// Cuts (`partition`, `isolate`, `block`) apply to server-to-server traffic; clients reach every
/// server that is up. Loss, duplication and delay set for all links apply to client traffic too.
public struct NetworkModel: Sendable {
    /// One-way latency of every message, drawn uniformly per message.
    public var latency: ClosedRange<Timestamp>
    /// Faults on every link.
    public var faults = LinkFaults()
    /// Faults on particular links, on top of `faults`.
    public private(set) var linkFaults: [Link: LinkFaults] = [:]
    /// Partition group of each node; nodes in different groups cannot talk. Empty: no partition.
    public private(set) var groups: [[NodeID]] = []
    private var groupOf: [NodeID: Int] = [:] { didSet { noteCuts() } }
    /// Nodes cut off from everyone, on top of the partition.
    public private(set) var isolated: Set<NodeID> = [] { didSet { noteCuts() } }
    /// One-way blocks.
    public private(set) var blocked: Set<Link> = [] { didSet { noteCuts() } }
    /// Whether any partition, isolation or blocked link is in force (kept by the setters above), so
    /// that `connected`, asked twice per simulated message, answers a cut-free network inline.
    public private(set) var hasCuts = false

    private mutating func noteCuts() { hasCuts = !(isolated.isEmpty && blocked.isEmpty && groupOf.isEmpty) }

    public init(latency: ClosedRange<Timestamp>) { self.latency = latency }

    /// Replace the whole symmetric cut (the partition and every isolation) with `groups`. Nodes named
    /// in no group form one more group. One-way blocks and link faults stay; `heal` clears everything.
    public mutating func partition(_ groups: [[NodeID]], allNodes: [NodeID]) {
        isolated = []
        var named = Set<NodeID>()
        var gs = groups.map { $0.sorted() }.filter { !$0.isEmpty }
        for g in gs { named.formUnion(g) }
        let rest = allNodes.filter { !named.contains($0) }
        if !rest.isEmpty { gs.append(rest) }
        self.groups = gs
        groupOf = [:]
        for (i, g) in gs.enumerated() { for n in g { groupOf[n] = i } }
    }

    public mutating func isolate(_ node: NodeID) { isolated.insert(node) }
    public mutating func block(_ link: Link) { blocked.insert(link) }

    /// Replace the faults of every link (`link` nil) or of one link.
    public mutating func setFaults(_ f: LinkFaults, on link: Link?) {
        if let link { linkFaults[link] = f.isClear ? nil : f } else { faults = f }
    }

    /// Remove every cut and every link fault.
    public mutating func heal() {
        groups = []
        groupOf = [:]
        isolated = []
        blocked = []
        linkFaults = [:]
        faults = LinkFaults()
    }

    /// Whether a server-to-server message from `from` can reach `to` under the current cuts.
    @inlinable public func connected(_ from: NodeID, _ to: NodeID) -> Bool {
        // No cut at all (most of a run): answered where it is asked (the simulator asks twice per
        // message), with no call that has the whole model to hand over.
        from == to || !hasCuts || connectedThroughCuts(from, to)
    }

    @usableFromInline func connectedThroughCuts(_ from: NodeID, _ to: NodeID) -> Bool {
        if isolated.contains(from) || isolated.contains(to) { return false }
        if blocked.contains(Link(from, to)) { return false }
        if let a = groupOf[from], let b = groupOf[to], a != b { return false }
        return true
    }

    /// Why a server-to-server message from `from` cannot reach `to` under the current cuts, in words
    /// (`cut by the partition`, `node 3 is isolated`, `blocked 1 -> 2`); nil when it can.
    public func cut(_ from: NodeID, _ to: NodeID) -> String? {
        if from == to { return nil }
        if isolated.contains(from) { return "cut: node \(from) is isolated" }
        if isolated.contains(to) { return "cut: node \(to) is isolated" }
        if blocked.contains(Link(from, to)) { return "cut: blocked \(from) -> \(to)" }
        if let a = groupOf[from], let b = groupOf[to], a != b { return "cut by the partition" }
        return nil
    }

    /// The partition group of `node` as status tables show it: 1-based, 0 when the node is isolated,
    /// nil when there is no partition.
    public func group(of node: NodeID) -> Int? {
        if isolated.contains(node) { return 0 }
        return groupOf[node].map { $0 + 1 }
    }

    /// Change loss, duplication or delay (nil: leave as is) on every link (`links` nil) or on the given
    /// links. Setting one of them to zero on every link (`drop 0%`, `duplicate 0%`, `delay 0ms`) clears
    /// it everywhere, per-link settings included; on given links it clears only theirs.
    public mutating func setFaults(loss: Double?, duplicate: Double?, delay: ClosedRange<Timestamp>?, on links: [Link]?) {
        let delay = delay.map { $0 == 0...0 ? nil : $0 }
        func update(_ f: inout LinkFaults) {
            if let loss { f.loss = loss }
            if let duplicate { f.duplicate = duplicate }
            if let delay { f.extraDelay = delay }
        }
        guard let links else {
            update(&faults)
            for link in linkFaults.keys.sorted() {
                var f = linkFaults[link]!
                if loss == 0 { f.loss = 0 }
                if duplicate == 0 { f.duplicate = 0 }
                if case .some(.none) = delay { f.extraDelay = nil }
                linkFaults[link] = f.isClear ? nil : f
            }
            return
        }
        for link in links {
            var f = linkFaults[link] ?? LinkFaults()
            update(&f)
            linkFaults[link] = f.isClear ? nil : f
        }
    }

    /// The faults a message on `link` meets: the global ones combined with the link's own, each by the
    /// same rule, the larger of the two: the higher loss, the higher duplication, and the delay range
    /// with the larger bounds. The one merge rule.
    public func faults(on link: Link) -> LinkFaults {
        guard !linkFaults.isEmpty, let lf = linkFaults[link] else { return faults }
        var f = faults
        f.loss = max(f.loss, lf.loss)
        f.duplicate = max(f.duplicate, lf.duplicate)
        switch (f.extraDelay, lf.extraDelay) {
        case (let a?, let b?): f.extraDelay = max(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
        case (nil, let b?): f.extraDelay = b
        default: break
        }
        return f
    }

    /// Decide the fate of one message on `link` (nil link: a client message): the delays of the
    /// copies to deliver (none: lost; two: duplicated).
    public func deliveries(on link: Link?, rng: inout SeededRandom) -> Deliveries {
        let f = link.map { faults(on: $0) } ?? faults
        if f.loss > 0, rng.chance(f.loss) { return Deliveries() }
        var out = Deliveries(delay(f, &rng))
        if f.duplicate > 0, rng.chance(f.duplicate) { out.second = delay(f, &rng) }
        return out
    }

    private func delay(_ f: LinkFaults, _ rng: inout SeededRandom) -> Timestamp {
        var d = rng.uniform(latency)
        if let extra = f.extraDelay { d += rng.uniform(extra) }
        return d
    }

    /// A one-line description of the cuts and faults in force.
    public var summary: String {
        var parts: [String] = []
        if !groups.isEmpty {
            parts.append("partition " + groups.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " | "))
        }
        if !isolated.isEmpty { parts.append("isolated " + isolated.sorted().map(String.init).joined(separator: ",")) }
        for b in blocked.sorted() { parts.append("block \(b)") }
        if !faults.isClear { parts.append("all links: \(describe(faults))") }
        for l in linkFaults.keys.sorted() { parts.append("\(l): \(describe(linkFaults[l]!))") }
        return parts.isEmpty ? "no faults" : parts.joined(separator: "; ")
    }

    private func describe(_ f: LinkFaults) -> String {
        var s: [String] = []
        if f.loss > 0 { s.append("drop \(TimeFormat.fixed(f.loss * 100, 0))%") }
        if f.duplicate > 0 { s.append("duplicate \(TimeFormat.fixed(f.duplicate * 100, 0))%") }
        if let d = f.extraDelay { s.append("delay \(TimeFormat.duration(d.lowerBound))..\(TimeFormat.duration(d.upperBound))") }
        return s.joined(separator: " ")
    }
}

/// The delays of the copies of one message to deliver: none (lost), one, or two (duplicated). A
/// value, not an array: deciding a message's fate allocates nothing.
public struct Deliveries: RandomAccessCollection, Sendable, Hashable {
    var first: Timestamp?
    var second: Timestamp?

    /// No copy: the message is lost.
    public init() {}

    /// One copy, after `delay`.
    public init(_ delay: Timestamp) { first = delay }

    public var startIndex: Int { 0 }
    public var endIndex: Int { first == nil ? 0 : second == nil ? 1 : 2 }
    public subscript(i: Int) -> Timestamp {
        precondition(i >= 0 && i < endIndex, "Deliveries index out of range")
        return i == 0 ? first! : second!
    }
}
