import RaftCore
import Check

/// One node's time as leader of one term.
public struct LeaderSpan: Sendable, Hashable {
    public var node: NodeID
    public var term: Term
    /// When it became leader.
    public var from: Timestamp
    /// When it stopped leading (nil: still leads).
    public var to: Timestamp?

    public init(_ node: NodeID, term: Term, from: Timestamp, to: Timestamp?) {
        self.node = node
        self.term = term
        self.from = from
        self.to = to
    }
}
