/// The leader's view of one follower's log (etcd's Progress).
public struct Progress: Sendable {
    /// How the leader sends to this follower.
    public enum State: String, Sendable {
        /// One append at a time until the follower's match point is found.
        case probe
        /// Appends are pipelined, up to the inflight limit.
        case replicate
        /// The follower needs entries this leader compacted away: only a snapshot can bring it up to
        /// date. The leader sends it the snapshot in chunks, one at a time (`sending`, `snapshotOffset`),
        /// and no appends until it answers that it holds the snapshot's index.
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
    /// In snapshot state: the snapshot being sent (kept even if the leader compacts again meanwhile,
    /// so that a transfer always finishes); nil until the first chunk goes out.
    var sending: Snapshot?
    /// In snapshot state: how many bytes of `sending` the follower confirmed; the next chunk starts here.
    public internal(set) var snapshotOffset = 0
    /// In snapshot state: ticks since the unanswered chunk went out; nil when none is unanswered.
    var chunkAge: Int?
    /// In snapshot state: the last chunk of `sending` went out (counted once in `RaftStats.snapshotsSent`).
    var lastChunkSent = false

    init(next: LogIndex, maxInflight: Int) {
        self.next = next
        self.inflights = Inflights(capacity: maxInflight)
    }

    /// Whether the leader should hold further appends.
    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return chunkAge != nil
        }
    }

    /// The index of the snapshot being sent, 0 if none (etcd's `PendingSnapshot`).
    public var pendingSnapshot: LogIndex { sending?.index ?? 0 }

    mutating func becomeProbe() {
        state = .probe
        next = match + 1
        probeSent = false
        inflights.reset()
        forgetSnapshot()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        probeSent = false
        inflights.reset()
        forgetSnapshot()
    }

    /// The next entries to send were compacted away (see `State.snapshot`).
    mutating func becomeSnapshot() {
        state = .snapshot
        probeSent = false
        inflights.reset()
        forgetSnapshot()
    }

    /// Ends the transfer in progress, if any: the next chunk sent starts the leader's latest snapshot.
    mutating func forgetSnapshot() {
        sending = nil
        snapshotOffset = 0
        chunkAge = nil
        lastChunkSent = false
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
