import Foundation
import RaftCore
import Check
import ClusterModel
import Wire

/// Watches the nodes of a UDP cluster through their `status` reports, on a thread of its own:
/// every `interval` it asks every node it is told to probe (all at once, each answer awaited at
/// most `timeout`), so a run of N nodes costs about N/interval small datagrams a second, and the
/// thread ends with `stop()`.
///
/// Every report goes to a `ProbeChecker` (only the thread's own, so that each node's reports reach
/// it in the order they were made: a report asked elsewhere could arrive out of order), which checks the simulator's invariants on real nodes; the reports also give
/// the leader history (a span per node and term in which it was seen leading), the number of Raft
/// messages the nodes sent (their counters, summed over every incarnation of every node), and, while
/// tracing, the trace lines of role, term and leader changes in the simulator's format, with real
/// times since the cluster started. Thread-safe.
final class UDPProber: @unchecked Sendable {
    private let client: UDPClient
    private let interval: Duration
    private let timeout: Duration
    private let now: @Sendable () -> UInt64
    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)

    // Guarded by `lock`.
    private let checker: ProbeChecker
    private var probing: Set<NodeID>
    private var last: [NodeID: NodeReport] = [:]
    private var spans: [LeaderSpan] = []
    private var sentByIncarnation: [NodeID: [UInt64: UInt64]] = [:]
    private var snapshotsByIncarnation: [NodeID: [UInt64: SnapshotCounts]] = [:]
    private var lines: [String] = []
    private var tracingOn = false
    private var counterTraced: [NodeID: (time: UInt64, sent: UInt64, received: UInt64, dropped: UInt64)] = [:]
    private var rounds = 0
    private var running = false
    private var stopRequested = false

    /// Trace lines kept at most while nobody takes them.
    private static let maxLines = 10_000

    /// A prober of `nodes` (all probed from the start) through `client`, which it owns.
    init(client: UDPClient, nodes: [NodeID], seed: UInt64, interval: Duration, timeout: Duration,
         now: @escaping @Sendable () -> UInt64) {
        self.client = client
        self.interval = interval
        self.timeout = timeout
        self.now = now
        self.checker = ProbeChecker(seed: seed)
        self.probing = Set(nodes)
    }

    /// Start the probing thread (once).
    func start() {
        let go = locked { () -> Bool in
            guard !running && !stopRequested else { return false }
            running = true
            return true
        }
        guard go else { return }
        let thread = Thread { [self] in loop() }
        thread.name = "raftsh-prober"
        thread.start()
    }

    /// Stop the thread (waiting at most one round for it) and close the client. Safe to call twice.
    func stop() {
        let wasRunning = locked { () -> Bool in
            defer { stopRequested = true }
            return running && !stopRequested
        }
        if wasRunning {
            let limit = nanos(interval + timeout) + 2_000_000_000
            _ = finished.wait(timeout: .now() + .nanoseconds(Int(clamping: limit)))
        }
        client.close()
    }

    private func loop() {
        let clock = ContinuousClock()
        while !locked({ stopRequested }) {
            let began = clock.now
            let ids = locked { probing.sorted() }
            let replies = ids.isEmpty ? [:] : client.controlAll(.status, to: ids, timeout: timeout)
            locked {
                // Stamped inside the lock, so trace lines are in time order with `note`'s.
                let t = now()
                // Only nodes still probed: an answer sent before a crash or pause that the cluster
                // noted meanwhile would reopen what that closed.
                for id in ids where probing.contains(id) {
                    if case .status(let r)? = replies[id], r.id == id { observeLocked(r, at: t) }
                }
                rounds += 1
            }
            let next = began + interval
            let wait = next - clock.now
            if wait > .zero { usleep(UInt32(clamping: nanos(wait) / 1_000)) }
        }
        finished.signal()
    }

    // MARK: - What the cluster tells it

    /// Probe node `id` from now on (it is up and running) or not (down or paused).
    func setProbing(_ id: NodeID, _ on: Bool) {
        locked {
            if on { probing.insert(id) } else { probing.remove(id) }
        }
    }

    /// Node `id` was added to the cluster at `address`: the prober's client learns the address,
    /// and the node is probed from now on.
    func learn(_ id: NodeID, address: String) {
        try? client.setNodes([id], addresses: [id: address])
        setProbing(id, true)
    }

    /// The latest report of each node probed (nodes down or paused have none).
    func latestReports() -> [NodeID: NodeReport] { locked { last } }

    /// Node `id`'s process is gone: stop probing it, and its time as leader ends now.
    func nodeGone(_ id: NodeID) {
        let t = now()
        locked {
            probing.remove(id)
            closeSpan(of: id, at: t)
            last[id] = nil
        }
    }

    /// Keep trace lines (from now) or not.
    var tracing: Bool {
        get { locked { tracingOn } }
        set {
            locked {
                tracingOn = newValue
                if !newValue { lines.removeAll() }
            }
        }
    }

    /// Add a line of the cluster's own (a process started or killed) to the trace, stamped now.
    func note(_ line: String) {
        locked {
            guard tracingOn else { return }
            trace(now(), line)
        }
    }

    /// The trace lines gathered since the last call.
    func takeTraceLines() -> [String] {
        locked {
            defer { lines.removeAll() }
            return lines
        }
    }

    // MARK: - What it found

    /// The first invariant violation seen, after a round of probes that began after this call
    /// (waiting at most two rounds' time), so that what a caller just did is checked too.
    func freshViolation() -> Violation? {
        let (target, active) = locked { (rounds + 2, running && !stopRequested && !probing.isEmpty) }
        if active {
            let clock = ContinuousClock()
            let deadline = clock.now + (interval + timeout) * 2 + .milliseconds(50)
            while locked({ rounds < target }) && clock.now < deadline { usleep(1_000) }
        }
        return locked { checker.firstViolation }
    }

    /// The first violation seen so far (no waiting).
    var violation: Violation? { locked { checker.firstViolation } }

    /// Probes checked so far.
    var probes: Int { locked { checker.probes } }

    /// Raft messages sent by every node, summed over every incarnation (each as last reported).
    var messagesSent: Int {
        locked { Int(clamping: sentByIncarnation.values.reduce(UInt64(0)) { $0 + $1.values.reduce(0, +) }) }
    }

    /// Snapshots taken, sent and installed by every node, summed over every incarnation (each as
    /// last reported); chunks and bytes are not reported by raftd.
    var snapshotCounts: SnapshotCounts {
        locked {
            var total = SnapshotCounts(taken: 0, sent: 0, installed: 0)
            for c in snapshotsByIncarnation.values.flatMap(\.values) {
                total.taken! += c.taken ?? 0
                total.sent! += c.sent ?? 0
                total.installed! += c.installed ?? 0
            }
            return total
        }
    }

    /// Every node's terms as leader, in the order they were first seen.
    var leaderHistory: [LeaderSpan] { locked { spans } }

    // MARK: - Inside the lock

    private func observeLocked(_ r: NodeReport, at t: UInt64) {
        checker.observe(NodeProbe(node: r.id, incarnation: r.incarnation, time: t, role: r.role, term: r.term,
                                  commit: r.commit, commitTerm: r.commitTerm, commitHash: r.commitHash,
                                  lastIndex: r.lastIndex, lastTerm: r.lastTerm, lastHash: r.lastHash,
                                  applied: r.applied, appliedDigest: r.digest))
        let before = last[r.id]
        let restarted = before.map { $0.incarnation != r.incarnation } ?? false
        if r.role == .leader {
            if !spans.contains(where: { $0.node == r.id && $0.term == r.term && $0.to == nil }) {
                closeSpan(of: r.id, at: t)
                spans.append(LeaderSpan(r.id, term: r.term, from: t, to: nil))
            }
        } else {
            closeSpan(of: r.id, at: t)
        }
        sentByIncarnation[r.id, default: [:]][r.incarnation] = r.raftSent
        snapshotsByIncarnation[r.id, default: [:]][r.incarnation] =
            SnapshotCounts(taken: Int(clamping: r.snapshotsTaken), sent: Int(clamping: r.snapshotsSent),
                           installed: Int(clamping: r.snapshotsInstalled))
        last[r.id] = r
        guard tracingOn else { return }
        if before == nil || restarted || before!.role != r.role || before!.term != r.term || before!.leader != r.leader {
            if r.role == .leader {
                if before?.role != .leader || before?.term != r.term || restarted {
                    trace(t, "node \(r.id) became leader (term \(r.term))")
                }
            } else {
                trace(t, "node \(r.id) is \(r.role.rawValue) (term \(r.term))")
            }
        }
        let seen = counterTraced[r.id]
        if seen == nil || t - seen!.time >= 1_000_000_000 {
            let changed = seen.map { $0.sent != r.raftSent || $0.received != r.raftReceived || $0.dropped != r.droppedByFaults }
                ?? (r.raftSent + r.raftReceived + r.droppedByFaults > 0)
            if changed {
                trace(t, "node \(r.id): \(r.raftSent) raft messages sent, \(r.raftReceived) received, "
                      + "\(r.droppedByFaults) dropped by transport faults (this incarnation)")
            }
            counterTraced[r.id] = (t, r.raftSent, r.raftReceived, r.droppedByFaults)
        }
    }

    private func closeSpan(of id: NodeID, at t: UInt64) {
        if let i = spans.lastIndex(where: { $0.node == id && $0.to == nil }) { spans[i].to = t }
    }

    private func trace(_ t: UInt64, _ line: String) {
        guard lines.count < UDPProber.maxLines else { return }
        lines.append("[\(TimeFormat.instant(t))] " + line)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
