/// Pending ReadIndex requests on a leader (etcd's readOnly, the "safe" option): each waits for a
/// quorum of heartbeat answers carrying its context, or a later one, proving leadership held when
/// the read arrived (thesis §6.4).
struct ReadOnly: Sendable {
    struct Pending: Sendable {
        var context: ReadContext
        var index: LogIndex
        /// The nodes that answered, each once (a plain array: a read has a handful, and a `Set`
        /// cost an allocation, hashing and a sort per answer).
        var acks: [NodeID]
    }

    /// In arrival order.
    private(set) var queue: [Pending] = []
    /// Reads that arrived before this leader committed an entry of its term.
    private(set) var waitingForCommit: [ReadContext] = []

    var isEmpty: Bool { queue.isEmpty && waitingForCommit.isEmpty }

    mutating func add(context: ReadContext, index: LogIndex, leader: NodeID) {
        queue.append(Pending(context: context, index: index, acks: [leader]))
    }

    mutating func deferUntilCommit(_ context: ReadContext) { waitingForCommit.append(context) }

    mutating func takeDeferred() -> [ReadContext] {
        defer { waitingForCommit.removeAll() }
        return waitingForCommit
    }

    /// Record that `from` answered the heartbeat for `context`; returns the reads now confirmed (by a
    /// quorum of the voters of `membership`), in order.
    mutating func ack(context: ReadContext, from: NodeID, membership: Membership) -> [ReadState] {
        guard let pos = queue.firstIndex(where: { $0.context == context }) else { return [] }
        if !queue[pos].acks.contains(from) { queue[pos].acks.append(from) }
        guard membership.isQuorum(queue[pos].acks) else { return [] }
        let done = queue[...pos].map { ReadState(index: $0.index, context: $0.context) }
        queue.removeFirst(pos + 1)
        return done
    }

    /// Confirm everything at once (a single-node cluster needs nobody else).
    mutating func confirmAll() -> [ReadState] {
        defer { queue.removeAll() }
        return queue.map { ReadState(index: $0.index, context: $0.context) }
    }

    /// The newest pending context, to piggyback on heartbeats (0 if none).
    var lastContext: ReadContext { queue.last?.context ?? 0 }

    /// Forget everything (on losing leadership); returns the contexts dropped.
    mutating func reset() -> [ReadContext] {
        defer { queue.removeAll(); waitingForCommit.removeAll() }
        return waitingForCommit + queue.map(\.context)
    }
}
