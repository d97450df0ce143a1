/// The leader's view of one follower's log (etcd's Progress).
public struct Progress: Sendable {
    /// How the leader sends to this follower.
    public enum State: String, Sendable {
        /// One append at a time until the follower's match point is found.
        case probe
        /// Appends are pipelined, up to the inflight limit.
        case replicate
        /// The follower needs entries this leader compacted away: only a snapshot can bring it up to
        /// date. Nothing is sent to it until it is back in the log's range (InstallSnapshot is to come).
        case snapshot
    }

    /// Highest index known to match the leader's log.
    public internal(set) var match: LogIndex = 0
    /// Next index to send.
    public internal(set) var next: LogIndex
    public internal(set) var state: State = .probe
    /// In probe state: an append is outstanding, wait for its answer or a heartbeat answer.
    var probeSent = false
    /// Heard from this follower since the last CheckQuorum round.
    var recentActive = false
    var inflights: Inflights

    init(next: LogIndex, maxInflight: Int) {
        self.next = next
        self.inflights = Inflights(capacity: maxInflight)
    }

    /// Whether the leader should hold further appends.
    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }

    mutating func becomeProbe() {
        state = .probe
        next = match + 1
        probeSent = false
        inflights.reset()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        probeSent = false
        inflights.reset()
    }

    /// The next entries to send were compacted away (see `State.snapshot`).
    mutating func becomeSnapshot() {
        state = .snapshot
        probeSent = false
        inflights.reset()
    }

    /// A successful append answer up to `index`. Returns whether it told us something new.
    mutating func maybeUpdate(_ index: LogIndex) -> Bool {
        var updated = false
        if index > match {
            match = index
            updated = true
            probeSent = false
        }
        if next < index + 1 { next = index + 1 }
        return updated
    }

    /// A rejected append of `rejected` (its prevLogIndex) with the leader's computed candidate `hintNext`.
    /// Returns false when the rejection is stale.
    mutating func maybeDecrease(rejected: LogIndex, hintNext: LogIndex) -> Bool {
        switch state {
        case .replicate:
            if rejected <= match { return false }
            becomeProbe()
            next = max(match + 1, min(hintNext, rejected))
            return true
        case .probe:
            if next == 0 || next - 1 != rejected { return false }
            next = max(match + 1, min(hintNext, rejected))
            probeSent = false
            return true
        case .snapshot:
            // Backing up cannot help a follower that needs compacted entries.
            return false
        }
    }
}
