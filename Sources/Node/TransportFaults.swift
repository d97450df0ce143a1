import RaftCore

/// Loss, duplication and extra delay on what a node sends over one link (or all links).
public struct LinkFaults: Sendable, Hashable {
    /// Parts per million of messages dropped.
    public var lossPPM: UInt32
    /// Parts per million of messages sent twice.
    public var duplicatePPM: UInt32
    /// Each copy waits a uniform delay from this range (nanoseconds) before it is sent.
    public var delayNanos: ClosedRange<UInt64>

    public init(lossPPM: UInt32 = 0, duplicatePPM: UInt32 = 0, delayNanos: ClosedRange<UInt64> = 0...0) {
        self.lossPPM = lossPPM
        self.duplicatePPM = duplicatePPM
        self.delayNanos = delayNanos
    }

    /// Whether the faults change nothing.
    public var isNone: Bool { lossPPM == 0 && duplicatePPM == 0 && delayNanos.upperBound == 0 }
}

/// The faults a node's own transport applies, set by control messages from the shell.
public struct TransportFaults: Sendable, Hashable {
    /// Peers cut off both ways: nothing is sent to them and what they send is dropped.
    public var cut: Set<NodeID> = []
    /// Peers this node sends nothing to (one-way loss).
    public var blockedOutgoing: Set<NodeID> = []
    /// Faults per destination peer; key 0 applies to peers without their own entry.
    public var links: [NodeID: LinkFaults] = [:]

    public init() {}

    /// Whether nothing is cut, blocked or faulty.
    public var isNone: Bool { cut.isEmpty && blockedOutgoing.isEmpty && links.values.allSatisfy(\.isNone) }

    /// Whether a message to `peer` is dropped before any link faults.
    public func blocksSend(to peer: NodeID) -> Bool { cut.contains(peer) || blockedOutgoing.contains(peer) }

    /// Whether a message from `peer` is dropped.
    public func blocksReceive(from peer: NodeID) -> Bool { cut.contains(peer) }

    /// The link faults on messages to `peer`.
    public func link(to peer: NodeID) -> LinkFaults? {
        if let f = links[peer] { return f }
        return links[noNode]
    }

    /// How many copies of one message go out (0: lost, 1, or 2: duplicated) and each one's delay.
    public func plan(to peer: NodeID, using rng: inout some RandomNumberGenerator) -> [UInt64] {
        guard let f = link(to: peer), !f.isNone else { return [0] }
        if f.lossPPM > 0 && UInt32.random(in: 0..<1_000_000, using: &rng) < f.lossPPM { return [] }
        var copies = 1
        if f.duplicatePPM > 0 && UInt32.random(in: 0..<1_000_000, using: &rng) < f.duplicatePPM { copies = 2 }
        return (0..<copies).map { _ in
            f.delayNanos.upperBound == 0 ? 0 : UInt64.random(in: f.delayNanos, using: &rng)
        }
    }

}
