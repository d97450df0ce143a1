import RaftCore

/// A broken Raft safety property, with enough context to reproduce it.
public struct Violation: Error, Sendable, CustomStringConvertible, Hashable {
    /// The property's name, e.g. "election safety".
    public var invariant: String
    /// The nodes involved, in increasing order.
    public var nodes: [NodeID]
    /// What was seen, in words.
    public var detail: String
    /// When it was seen.
    public var time: Timestamp
    /// The seed of the run, to replay it.
    public var seed: UInt64

    /// A violation with every field given; `nodes` are sorted and deduplicated.
    public init(invariant: String, nodes: [NodeID], detail: String, time: Timestamp, seed: UInt64) {
        self.invariant = invariant
        var sorted: [NodeID] = []
        for n in nodes.sorted() where sorted.last != n { sorted.append(n) }
        self.nodes = sorted
        self.detail = detail
        self.time = time
        self.seed = seed
    }

    /// `invariant violated: <invariant> on nodes [1, 2] at t=1.234s (seed 42): <detail>`.
    public var description: String {
        let list = nodes.map(String.init).joined(separator: ", ")
        return "invariant violated: \(invariant) on nodes [\(list)] at \(TimeFormat.instant(time)) (seed \(seed)): \(detail)"
    }
}
