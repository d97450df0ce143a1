import Wire
import RaftCore
import KV
import Check
import ClusterModel
import Histogram

/// The proposal's figures for a workload, measured honestly (definitions in docs/metrics.md).
public struct WorkloadReport {
    public struct Metric {
        public var value: Double
        public var text: String
    }

    public let messages: Int
    public let gets: Int
    public let puts: Int
    public let duplicateResponses: Int
    public let unansweredGets: Int
    public let unansweredPuts: Int
    public let redirects: Int
    public let failures: Int
    public let wrongGets: Int
    public let latencies: [UInt64]
    public let duration: UInt64
    public let leaderHistory: [LeaderSpan]
    public let linearizable: Bool
    /// Whether `messages` were counted.
    public let recordsNetwork: Bool
    /// Whether `leaderHistory` was recorded (not on clusters that cannot tell who leads).
    public let recordsLeaders: Bool
    /// The kind of cluster, for "n/a on … clusters".
    public let kind: ClusterKind
    /// Snapshots taken, sent and installed since the cluster started (nil fields: not known here).
    public let snapshots: SnapshotCounts

    /// Names accepted by `expect metric NAME …`.
    public static let metricNames = ["messages", "gets", "puts", "duplicates", "unanswered", "unanswered_gets",
                                     "unanswered_puts", "redirects", "failures", "wrong_gets", "mean", "median",
                                     "p90", "p99", "max", "throughput", "messages_per_op", "snapshots_taken",
                                     "snapshots_sent", "snapshots_installed"]

    public init(cluster c: any Cluster, workload w: any WorkloadRun) {
        let answered = w.results
        let all = answered + w.unanswered
        gets = all.filter { $0.op.isRead }.count
        puts = all.count - gets
        unansweredGets = w.unanswered.filter { $0.op.isRead }.count
        unansweredPuts = w.unanswered.count - unansweredGets
        redirects = all.reduce(0) { $0 + $1.redirects }
        failures = answered.filter { !$0.succeeded }.count
        latencies = answered.filter(\.succeeded).map(\.latency).sorted()
        var hist = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 3_600_000_000_000,
                                     numberOfSignificantValueDigits: .three)
        for l in latencies { _ = hist.record(max(l, 1_000)) }
        histogram = hist
        let recording = c as? any NetworkRecording
        messages = (c as? any MessageCounting)?.messagesSent ?? 0
        recordsNetwork = c is any MessageCounting
        duplicateResponses = c.duplicateReplies
        duration = (w.stoppedAt ?? c.now) - w.startedAt
        leaderHistory = recording?.leaderHistory ?? []
        recordsLeaders = recording != nil
        kind = c.kind
        snapshots = (c as? any Snapshotting)?.snapshotCounts ?? SnapshotCounts()
        let ids = Set(w.clientIDs)
        var h = History()
        for op in c.history.operations where ids.contains(op.client) {
            let id = h.invoke(client: op.client, op: op.op, at: op.invoke)
            if let done = op.complete { h.complete(id, outcome: op.outcome, at: done) }
        }
        switch LinearizabilityChecker().check(h) {
        case .linearizable:
            linearizable = true
            wrongGets = 0
        case .violation(_, let ops):
            linearizable = false
            wrongGets = ops.filter { $0.op.isRead }.count
        case .tooComplex:
            linearizable = false
            wrongGets = 0
        }
    }

    /// Latencies of answered operations (HdrHistogram, 3 significant digits, 1µs to 1h).
    let histogram: Histogram<UInt64>

    func percentile(_ p: Double) -> UInt64 {
        latencies.isEmpty ? 0 : histogram.valueAtPercentile(p * 100)
    }

    var mean: UInt64 { latencies.isEmpty ? 0 : UInt64(histogram.mean) }
    var throughput: Double { duration == 0 ? 0 : Double(latencies.count) / (Double(duration) / 1e9) }
    var operations: Int { gets + puts }

    public func metric(_ name: String) -> Metric? {
        func n(_ v: Int) -> Metric { Metric(value: Double(v), text: String(v)) }
        func d(_ v: UInt64) -> Metric { Metric(value: Double(v), text: TimeFormat.duration(v)) }
        switch name {
        case "messages": return n(messages)
        case "gets": return n(gets)
        case "puts": return n(puts)
        case "duplicates": return n(duplicateResponses)
        case "unanswered": return n(unansweredGets + unansweredPuts)
        case "unanswered_gets": return n(unansweredGets)
        case "unanswered_puts": return n(unansweredPuts)
        case "redirects": return n(redirects)
        case "failures": return n(failures)
        case "wrong_gets": return n(wrongGets)
        case "mean": return d(mean)
        case "median": return d(percentile(0.5))
        case "p90": return d(percentile(0.9))
        case "p99": return d(percentile(0.99))
        case "max": return d(latencies.last ?? 0)
        case "throughput": return Metric(value: throughput, text: TimeFormat.fixed(throughput, 1) + "/s")
        case "messages_per_op":
            let v = operations == 0 ? 0 : Double(messages) / Double(operations)
            return Metric(value: v, text: TimeFormat.fixed(v, 1))
        case "snapshots_taken": return snapshots.taken.map(n)
        case "snapshots_sent":
            guard let sent = snapshots.sent else { return nil }
            var m = n(sent)
            if let chunks = snapshots.chunks, let bytes = snapshots.bytes { m.text += " (\(chunks) chunks, \(bytes) bytes)" }
            return m
        case "snapshots_installed": return snapshots.installed.map(n)
        default: return nil
        }
    }

    /// `report --json`: `workload` (`running`), `metrics` (every name of `metricNames`: counts,
    /// durations in nanoseconds, `throughput` per second; `messages` and `messages_per_op` null when
    /// not recorded), `linearizable`, and `leader_history` (each `node`, `term`, `from_ns`, `to_ns`;
    /// null when not recorded).
    var json: JSONValue {
        let metrics: [(String, JSONValue)] = Self.metricNames.map { name in
            if !recordsNetwork && (name == "messages" || name == "messages_per_op") { return (name, .null) }
            let m = metric(name)!
            let whole = ["mean", "median", "p90", "p99", "max"].contains(name) || m.value == m.value.rounded()
            return (name, whole && name != "throughput" && name != "messages_per_op" ? .count(UInt64(m.value)) : .double(m.value))
        }
        let history: JSONValue = recordsNetwork
            ? .array(leaderHistory.map { .fields([("node", .count($0.node)), ("term", .count($0.term)),
                                                  ("from_ns", .count($0.from)), ("to_ns", .count($0.to))]) })
            : .null
        return .fields([("metrics", .fields(metrics)), ("linearizable", .bool(linearizable)), ("leader_history", history)])
    }

    public var text: String {
        var rows: [[String]] = [["figure", "value"]]
        let labels = [("messages sent between servers", "messages"), ("get requests", "gets"), ("put requests", "puts"),
                      ("duplicate responses", "duplicates"), ("unanswered gets", "unanswered_gets"),
                      ("unanswered puts", "unanswered_puts"), ("redirects", "redirects"), ("failures", "failures"),
                      ("wrong get responses", "wrong_gets"), ("mean latency", "mean"), ("median latency", "median"),
                      ("p90 latency", "p90"), ("p99 latency", "p99"), ("max latency", "max"),
                      ("throughput", "throughput"), ("messages per operation", "messages_per_op"),
                      ("snapshots taken", "snapshots_taken"), ("snapshots sent", "snapshots_sent"),
                      ("snapshots installed", "snapshots_installed")]
        for (label, key) in labels {
            let unrecorded = !recordsNetwork && (key == "messages" || key == "messages_per_op")
            let value = unrecorded ? nil : metric(key)
            rows.append([label, value?.text ?? "n/a on \(kind.rawValue) clusters"])
        }
        rows.append(["linearizable", linearizable ? "yes" : "NO"])
        var out = TextTable.render(rows)
        out += "\n\nleader history:\n"
        guard recordsLeaders else { return out + "n/a on \(kind.rawValue) clusters (they do not tell who leads)" }
        var lh = [["node", "term", "from", "to"]]
        for span in leaderHistory {
            lh.append([String(span.node), String(span.term), TimeFormat.instant(span.from),
                       span.to.map(TimeFormat.instant) ?? "now"])
        }
        out += TextTable.render(lh)
        return out
    }
}
