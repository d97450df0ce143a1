import RaftCore
import Check

/// A directed link between two nodes.
public struct Link: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var from: NodeID
    public var to: NodeID
    public init(_ from: NodeID, _ to: NodeID) { self.from = from; self.to = to }
    public static func < (a: Link, b: Link) -> Bool { (a.from, a.to) < (b.from, b.to) }
    public var description: String { "\(from) -> \(to)" }
}

/// Loss, duplication and extra delay on a link (or on every link).
public struct LinkFaults: Sendable, Hashable {
    /// Probability (0...1) that a message is lost.
    public var loss: Double = 0
    /// Probability (0...1) that a message is delivered twice.
    public var duplicate: Double = 0
    /// Extra delay drawn per message; a wide range reorders messages.
    public var extraDelay: ClosedRange<Timestamp>? = nil
    public init(loss: Double = 0, duplicate: Double = 0, extraDelay: ClosedRange<Timestamp>? = nil) {
        self.loss = loss
        self.duplicate = duplicate
        self.extraDelay = extraDelay
    }
    public var isClear: Bool { loss == 0 && duplicate == 0 && extraDelay == nil }
}
