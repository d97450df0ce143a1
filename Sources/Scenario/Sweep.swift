import Foundation
import RaftCore
import Check
import ClusterModel
import Sim

/// `raftsh sweep`: run one scenario over every combination of parameter values and seeds, and
/// summarize how the cluster behaved (the proposal's "analyze performance by varying parameters").
public struct Sweep {
    /// One `--param NAME=V1,V2,…`.
    public struct Parameter: Sendable, Hashable {
        public enum Name: String, Sendable, CaseIterable { case nodes, election, heartbeat, latency }
        public var name: Name
        /// The values as written, for labels.
        public var labels: [String]
        var apply: [ClusterOverride]

        /// Parse `election=50ms..100ms,150ms..300ms`; throws naming the parameter on bad input.
        public static func parse(_ text: String) throws(ClusterError) -> Parameter {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let name = Name(rawValue: parts[0].trimmingCharacters(in: .whitespaces)) else {
                throw ClusterError("bad --param '\(text)': expected NAME=V1,V2,... with NAME one of \(Name.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if values.isEmpty || values.contains(where: \.isEmpty) {
                throw ClusterError("bad --param \(name.rawValue): no values in '\(parts[1])'")
            }
            var overrides: [ClusterOverride] = []
            for v in values {
                var o = ClusterOverride()
                switch name {
                case .nodes:
                    guard let n = Int(v), n >= 1, n <= 64 else { throw ClusterError("bad --param nodes: '\(v)' is not a node count 1...64") }
                    o.nodes = n
                case .heartbeat:
                    guard let d = Literals.parseDuration(v), d > 0 else { throw ClusterError("bad --param heartbeat: '\(v)' is not a duration like 50ms") }
                    o.heartbeat = d
                case .election, .latency:
                    guard let r = Sweep.parseRange(v) else {
                        throw ClusterError("bad --param \(name.rawValue): '\(v)' is not a range like 150ms..300ms")
                    }
                    if name == .election { o.election = r } else { o.latency = r }
                }
                overrides.append(o)
            }
            return Parameter(name: name, labels: values, apply: overrides)
        }
    }

    /// What one run showed.
    public struct RunFigures: Sendable {
        public var passed: Bool
        /// Time without a leader after each leader loss.
        public var failovers: [UInt64]
        public var unanswered: Int
        public var messages: Int
        public var operations: Int
        public var latencies: [UInt64]
    }

    /// One row of the table: a combination of values over all seeds.
    public struct Row: Sendable {
        public var label: String
        public var runs: Int
        public var passed: Int
        public var failoverMedian: UInt64?
        public var failoverP99: UInt64?
        public var unanswered: Int
        public var messagesPerOp: Double
        public var latencyMedian: UInt64?
        public var latencyP99: UInt64?
    }

    public var parameters: [Parameter]
    public var seeds: ClosedRange<UInt64>

    public init(parameters: [Parameter], seeds: ClosedRange<UInt64>) {
        self.parameters = parameters
        self.seeds = seeds
    }

    public static func parseRange(_ v: String) -> ClosedRange<UInt64>? {
        let ends = v.components(separatedBy: "..")
        if ends.count == 1, let d = Literals.parseDuration(ends[0]) { return d...d }
        guard ends.count == 2, let a = Literals.parseDuration(ends[0]), let b = Literals.parseDuration(ends[1]), a <= b else { return nil }
        return a...b
    }

    /// Every combination, as (label, override).
    public var combinations: [(String, ClusterOverride)] {
        var out: [(String, ClusterOverride)] = [("", ClusterOverride())]
        for p in parameters {
            var next: [(String, ClusterOverride)] = []
            for (label, o) in out {
                for (i, v) in p.apply.enumerated() {
                    var m = o
                    if let n = v.nodes { m.nodes = n }
                    if let e = v.election { m.election = e }
                    if let h = v.heartbeat { m.heartbeat = h }
                    if let l = v.latency { m.latency = l }
                    next.append(((label.isEmpty ? "" : label + " ") + "\(p.name.rawValue)=\(p.labels[i])", m))
                }
            }
            out = next
        }
        return out
    }

    /// Run `source` for every combination and seed; `progress` is told after each run.
    public func run(file: String, source: String, progress: (String, UInt64, RunFigures) -> Void = { _, _, _ in }) -> [Row] {
        var rows: [Row] = []
        for (label, override) in combinations {
            var figures: [RunFigures] = []
            for seed in seeds {
                var opts = ExecutorOptions()
                opts.clusterOverride = override
                opts.seedOverride = seed
                opts.defaultNodes = override.nodes ?? opts.defaultNodes
                let exec = Executor(options: opts)
                var passed = true
                do {
                    let script = try Parser.parse(source, file: file, options: ParserOptions(defaultNodes: 64))
                    try exec.run(script)
                } catch {
                    passed = false
                }
                let f = Sweep.figures(exec.cluster, passed: passed)
                figures.append(f)
                progress(label, seed, f)
            }
            rows.append(Sweep.summarize(label, figures))
        }
        return rows
    }

    static func figures(_ c: (any Cluster)?, passed: Bool) -> RunFigures {
        guard let c else { return RunFigures(passed: passed, failovers: [], unanswered: 0, messages: 0, operations: 0, latencies: []) }
        // A failover is the time from the end of one leadership to the start of the next.
        var failovers: [UInt64] = []
        let recording = c as? any NetworkRecording
        let spans = (recording?.leaderHistory ?? []).sorted { $0.from < $1.from }
        for (i, s) in spans.enumerated() {
            guard let end = s.to, i + 1 < spans.count else { continue }
            let next = spans[i + 1].from
            if next >= end { failovers.append(next - end) }
        }
        let ops = c.history.operations
        var latencies: [UInt64] = []
        var unanswered = 0
        for op in ops {
            if case .ok = op.outcome, let done = op.complete { latencies.append(done - op.invoke) }
        }
        if let w = c.workload { unanswered = w.unanswered.count + w.inFlight }
        return RunFigures(passed: passed, failovers: failovers, unanswered: unanswered, messages: recording?.messagesSent ?? 0,
                          operations: ops.count, latencies: latencies)
    }

    static func quantile(_ xs: [UInt64], _ q: Double) -> UInt64? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        return s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))]
    }

    static func summarize(_ label: String, _ fs: [RunFigures]) -> Row {
        let fo = fs.flatMap(\.failovers)
        let lat = fs.flatMap(\.latencies)
        let msgs = fs.reduce(0) { $0 + $1.messages }
        let ops = fs.reduce(0) { $0 + $1.operations }
        return Row(label: label.isEmpty ? "(scenario as written)" : label, runs: fs.count, passed: fs.filter(\.passed).count,
                   failoverMedian: quantile(fo, 0.5), failoverP99: quantile(fo, 0.99),
                   unanswered: fs.reduce(0) { $0 + $1.unanswered },
                   messagesPerOp: ops == 0 ? 0 : Double(msgs) / Double(ops),
                   latencyMedian: quantile(lat, 0.5), latencyP99: quantile(lat, 0.99))
    }

    static let header = ["parameters", "runs", "passed", "failover p50", "failover p99", "unanswered", "msgs/op", "latency p50", "latency p99"]

    /// The table a person reads.
    public static func table(_ rows: [Row]) -> String {
        var t = [header]
        for r in rows {
            t.append([r.label, String(r.runs), String(r.passed), r.failoverMedian.map(TimeFormat.duration) ?? "-",
                      r.failoverP99.map(TimeFormat.duration) ?? "-", String(r.unanswered), TimeFormat.fixed(r.messagesPerOp, 1),
                      r.latencyMedian.map(TimeFormat.duration) ?? "-", r.latencyP99.map(TimeFormat.duration) ?? "-"])
        }
        return TextTable.render(t)
    }

    /// The same table as CSV, durations in milliseconds.
    public static func csv(_ rows: [Row]) -> String {
        func ms(_ v: UInt64?) -> String { v.map { TimeFormat.fixed(Double($0) / 1e6, 3) } ?? "" }
        var out = "parameters,runs,passed,failover_p50_ms,failover_p99_ms,unanswered,messages_per_op,latency_p50_ms,latency_p99_ms\n"
        for r in rows {
            out += "\"\(r.label)\",\(r.runs),\(r.passed),\(ms(r.failoverMedian)),\(ms(r.failoverP99)),\(r.unanswered),\(TimeFormat.fixed(r.messagesPerOp, 2)),\(ms(r.latencyMedian)),\(ms(r.latencyP99))\n"
        }
        return out
    }

    /// A bar chart: failover p50/p99 and latency p99 per combination, in milliseconds.
    public static func svg(_ rows: [Row], title: String) -> String {
        let series: [(String, String, (Row) -> UInt64?)] = [
            ("failover p50", "#4e79a7", { $0.failoverMedian }),
            ("failover p99", "#a0cbe8", { $0.failoverP99 }),
            ("latency p99", "#f28e2b", { $0.latencyP99 }),
        ]
        // Bar labels show the values only, one parameter per line; the names go in the caption.
        let labelLines = rows.map { r in r.label.split(separator: " ").map { part in
            String(part.split(separator: "=", maxSplits: 1).last ?? part) } }
        let names = rows.first.map { $0.label.split(separator: " ").compactMap { $0.contains("=") ? String($0.split(separator: "=")[0]) : nil } } ?? []
        let longest = labelLines.flatMap { $0 }.map(\.count).max() ?? 0
        let groupWidth = max(36 * series.count + 40, longest * 7 + 16)
        let left = 70, top = 50, plotH = 300
        let width = max(520, left + rows.count * groupWidth + 30)
        let height = top + plotH + 130
        var maxV: Double = 1
        for r in rows { for (_, _, f) in series { if let v = f(r) { maxV = max(maxV, Double(v) / 1e6) } } }
        let step = niceStep(maxV / 5)
        let axisMax = (maxV / step).rounded(.up) * step
        func y(_ ms: Double) -> Double { Double(top) + Double(plotH) * (1 - ms / axisMax) }
        var o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        o += "<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(xmlEscape(title))</text>\n"
        var tick = 0.0
        while tick <= axisMax + 1e-9 {
            let yy = y(tick)
            o += "<line x1=\"\(left)\" y1=\"\(fmt(yy))\" x2=\"\(width - 20)\" y2=\"\(fmt(yy))\" stroke=\"#ddd\"/>\n"
            o += "<text x=\"\(left - 6)\" y=\"\(fmt(yy + 4))\" text-anchor=\"end\">\(TimeFormat.fixed(tick, tick < 10 ? 1 : 0))</text>\n"
            tick += step
        }
        o += "<text x=\"16\" y=\"\(top + plotH / 2)\" transform=\"rotate(-90 16 \(top + plotH / 2))\" text-anchor=\"middle\">milliseconds</text>\n"
        for (i, r) in rows.enumerated() {
            let gx = left + 20 + i * groupWidth
            for (j, (_, color, f)) in series.enumerated() {
                guard let v = f(r) else { continue }
                let ms = Double(v) / 1e6
                let x = gx + j * 36
                o += "<rect x=\"\(x)\" y=\"\(fmt(y(ms)))\" width=\"30\" height=\"\(fmt(Double(top + plotH) - y(ms)))\" fill=\"\(color)\"><title>\(xmlEscape(r.label)): \(TimeFormat.fixed(ms, 1)) ms</title></rect>\n"
            }
            let cx = gx + (series.count * 36) / 2
            for (k, part) in labelLines[i].enumerated() {
                o += "<text x=\"\(cx)\" y=\"\(top + plotH + 18 + k * 14)\" text-anchor=\"middle\">\(xmlEscape(part))</text>\n"
            }
        }
        o += "<line x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(width - 20)\" y2=\"\(top + plotH)\" stroke=\"#333\"/>\n"
        if !names.isEmpty {
            o += "<text x=\"\(left)\" y=\"\(top + plotH + 22 + 14 * names.count)\" fill=\"#555\">bars labelled by \(xmlEscape(names.joined(separator: ", "))) (top to bottom)</text>\n"
        }
        for (j, (name, color, _)) in series.enumerated() {
            let lx = left + j * 130
            o += "<rect x=\"\(lx)\" y=\"\(height - 28)\" width=\"12\" height=\"12\" fill=\"\(color)\"/><text x=\"\(lx + 18)\" y=\"\(height - 18)\">\(name)</text>\n"
        }
        o += "</svg>\n"
        return o
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        var p = 1.0
        while p * 10 <= raw { p *= 10 }
        while p > raw { p /= 10 }
        for m in [1.0, 2.0, 5.0, 10.0] where p * m >= raw { return p * m }
        return p * 10
    }

    static func fmt(_ v: Double) -> String { TimeFormat.fixed(v, 1) }

}
