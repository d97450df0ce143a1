import RaftCore
import KV
import Check
import ClusterModel
import Sim

/// Settings of an executor that do not come from the script.
public struct ExecutorOptions: Sendable {
    /// Seed for clusters whose `cluster` line names none (and for the default cluster).
    public var seed: UInt64 = 1
    /// When set, overrides every `cluster … seed N` (so `raftsh run --seed` reproduces any run).
    public var seedOverride: UInt64? = nil
    /// Nodes of the default cluster a script without a `cluster` line runs on.
    public var defaultNodes: Int = 5
    /// Time a client operation may take unless the line says `timeout`.
    public var operationTimeout: UInt64 = 5_000_000_000
    /// Limit of `wait until` without `within`.
    public var waitLimit: UInt64 = 10_000_000_000
    /// Whether `save` is allowed (the prompt only).
    public var allowSave = false
    /// Color the status table (a terminal without NO_COLOR).
    public var color = false
    /// Settings that replace those of every `cluster` line (`raftsh sweep --param`).
    public var clusterOverride = ClusterOverride()
    public init() {}
}

/// Cluster settings imposed from outside the script; nil fields leave the script's value.
public struct ClusterOverride: Sendable, Hashable {
    public var nodes: Int?
    public var election: ClosedRange<UInt64>?
    public var heartbeat: UInt64?
    public var latency: ClosedRange<UInt64>?
    public init(nodes: Int? = nil, election: ClosedRange<UInt64>? = nil, heartbeat: UInt64? = nil,
                latency: ClosedRange<UInt64>? = nil) {
        self.nodes = nodes
        self.election = election
        self.heartbeat = heartbeat
        self.latency = latency
    }
    /// Apply to a `cluster` line's settings.
    public func apply(to cfg: ClusterConfig) -> ClusterConfig {
        var c = cfg
        if let nodes { c.nodes = nodes }
        if let election { c.election = election }
        if let heartbeat { c.heartbeat = heartbeat }
        if let latency { c.latency = latency }
        return c
    }
}

/// Runs statements against a `Cluster`, printing each answer through `output`.
///
/// The same executor serves `raftsh run` (a whole file, stopping at the first failure) and the
/// shell (line by line: a failure is printed and the session goes on).
public final class Executor {
    public var options: ExecutorOptions
    /// Where answers go, one call per line.
    public var output: (String) -> Void
    /// Makes a cluster for a `cluster` line (the shell and runner supply UDP when available).
    public var makeCluster: (ClusterConfig, UInt64, ExecutorOptions) throws -> any Cluster
    /// Called for `save FILE` (the shell provides it).
    public var saveHandler: ((String) throws -> String)?
    /// Polled while time passes (the shell's Ctrl-C); a wait cut short fails with "interrupted".
    public var interruptCheck: (() -> Bool)? {
        didSet { cluster?.interruptCheck = interruptCheck }
    }
    public private(set) var cluster: (any Cluster)?
    /// Variables bound by `let`.
    public private(set) var variables: [String: Value] = [:]
    /// Statements executed (repeat bodies count each time).
    public private(set) var statementsRun = 0
    var traceOn = false

    /// A `let` value.
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        case nodes([NodeID])
        case number(Int)
        public var description: String {
            switch self {
            case .nodes(let ids): return ids.map(String.init).joined(separator: ",")
            case .number(let n): return String(n)
            }
        }
    }

    public init(options: ExecutorOptions = ExecutorOptions(), output: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.output = output
        self.makeCluster = { cfg, seed, opts in try Executor.simulated(opts.clusterOverride.apply(to: cfg), seed: seed) }
    }

    /// The simulator for a `cluster` line.
    public static func simulated(_ cfg: ClusterConfig, seed: UInt64) throws -> SimulatedCluster {
        var sc = SimConfig(nodes: cfg.nodes, seed: seed)
        if let e = cfg.election { sc.electionTimeout = e }
        if let h = cfg.heartbeat { sc.heartbeat = h }
        if let l = cfg.latency { sc.latency = l }
        return try SimulatedCluster(config: sc)
    }

    /// Names of the variables bound so far (for the parser and completion).
    public var variableNames: Set<String> { Set(variables.keys) }

    /// The cluster, making the default one on first use.
    public func currentCluster() throws -> any Cluster {
        if let cluster { return cluster }
        let c = try makeCluster(ClusterConfig(nodes: options.defaultNodes), options.seedOverride ?? options.seed, options)
        c.interruptCheck = interruptCheck
        cluster = c
        return c
    }

    /// Run a whole script; stops at the first failure and throws it.
    public func run(_ script: Script) throws(ScenarioFailure) {
        for s in script.statements { try execute(s) }
    }

    /// Execute one statement.
    public func execute(_ s: Statement) throws(ScenarioFailure) {
        statementsRun += 1
        do {
            try executeUnchecked(s)
        } catch let f as ScenarioFailure {
            throw f
        } catch {
            throw failure(s, "\(error)")
        }
        if let c = cluster as? any InvariantChecking, let v = c.violation {
            throw failure(s, v.description)
        }
        if let c = cluster, c.takeInterrupted() {
            throw failure(s, "interrupted")
        }
    }

    func failure(_ s: Statement, _ message: String, expected: String? = nil, seen: String? = nil) -> ScenarioFailure {
        ScenarioFailure(location: s.location, message: message, expected: expected, seen: seen,
                        time: cluster?.now ?? 0, seed: cluster?.seed ?? options.seed)
    }

    // MARK: - Capabilities

    /// The cluster as `P`, or a failure naming the line and the cluster kind.
    func capability<P>(_ type: P.Type, for what: String, in s: Statement) throws -> P {
        let c = try currentCluster()
        guard let p = c as? P else { throw failure(s, ClusterError.unavailable("`\(what)`", on: c.kind).message) }
        return p
    }

    func processControl(_ s: Statement, _ what: String) throws -> any ProcessControl {
        try capability((any ProcessControl).self, for: what, in: s)
    }

    func networkControl(_ s: Statement, _ what: String) throws -> any NetworkControl {
        try capability((any NetworkControl).self, for: what, in: s)
    }

    func inspection(_ s: Statement, _ what: String) throws -> any StateInspection {
        try capability((any StateInspection).self, for: what, in: s)
    }

    /// ` [t=1.234s]`
    func stamp() -> String { "  [\(TimeFormat.instant(cluster?.now ?? 0))]" }

    private func executeUnchecked(_ s: Statement) throws {
        switch s.kind {
        case .cluster(let cfg):
            let seed = options.seedOverride ?? cfg.seed ?? options.seed
            let c = try makeCluster(cfg, seed, options)
            cluster = c
            variables = [:]
            c.interruptCheck = interruptCheck
            if traceOn { c.trace = output }
            output(c.summary)
        case .put(let key, let value, let opts):
            let r = try clientOp(s, .put(key: key, value: value), opts)
            output(describe(r))
        case .get(let key, let opts):
            let r = try clientOp(s, .get(key: key), opts)
            output(describe(r))
        case .delete(let key, let opts):
            let r = try clientOp(s, .delete(key: key), opts)
            output(describe(r))
        case .fail(let sel):
            let c = try processControl(s, "fail")
            let ids = try resolve(sel, in: s)
            let leader = (c as? any StateInspection)?.leader
            for id in ids {
                let st = c.status(of: id)
                try c.crash(id)
                let was = id == leader ? " (was leader, term \(st.term))" : ""
                output("node \(id) crashed\(was)" + stamp())
            }
        case .restart(let sel):
            let c = try processControl(s, "restart")
            for id in try resolve(sel, in: s) {
                if c.status(of: id).state != .down {
                    output("node \(id) is not down" + stamp())
                    continue
                }
                try c.restart(id)
                let st = c.status(of: id)
                output("node \(id) restarted (term \(st.term), log \(st.lastIndex))" + stamp())
            }
        case .pause(let sel):
            let c = try processControl(s, "pause")
            for id in try resolve(sel, in: s) { try c.pause(id); output("node \(id) paused" + stamp()) }
        case .resume(let sel):
            let c = try processControl(s, "resume")
            for id in try resolve(sel, in: s) { try c.resume(id); output("node \(id) resumed" + stamp()) }
        case .partition(let groups):
            let c = try networkControl(s, "partition")
            let resolved = try resolveLine(groups, in: s)
            for g in resolved where g.isEmpty {
                throw failure(s, "a partition group is empty")
            }
            let all = c.nodeIDs
            try c.updateNetwork { $0.partition(resolved, allNodes: all) }
            output("partition " + resolved.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " | ") + stamp())
        case .isolate(let sel):
            let c = try networkControl(s, "isolate")
            for id in try resolve(sel, in: s) {
                try c.updateNetwork { $0.isolate(id) }
                output("node \(id) isolated" + stamp())
            }
        case .block(let link):
            let c = try networkControl(s, "block")
            let pairs = try resolveLink(link, in: s)
            try c.updateNetwork { n in for (a, b) in pairs { n.block(ClusterModel.Link(a, b)) } }
            output("blocked " + pairs.map { "\($0.0) -> \($0.1)" }.joined(separator: ", ") + stamp())
        case .heal:
            try networkControl(s, "heal").updateNetwork { $0.heal() }
            output("healed: no cuts, no link faults" + stamp())
        case .drop(let pct, let link):
            let c = try networkControl(s, "drop")
            let pairs = try link.map { try resolveLink($0, in: s) }
            try c.updateNetwork { $0.setFaults(loss: pct / 100, duplicate: nil, delay: nil, on: links(pairs)) }
            output("drop \(fmtPct(pct)) on \(linksText(pairs))" + stamp())
        case .duplicate(let pct, let link):
            let c = try networkControl(s, "duplicate")
            let pairs = try link.map { try resolveLink($0, in: s) }
            try c.updateNetwork { $0.setFaults(loss: nil, duplicate: pct / 100, delay: nil, on: links(pairs)) }
            output("duplicate \(fmtPct(pct)) on \(linksText(pairs))" + stamp())
        case .delay(let range, let link):
            let c = try networkControl(s, "delay")
            let pairs = try link.map { try resolveLink($0, in: s) }
            try c.updateNetwork { $0.setFaults(loss: nil, duplicate: nil, delay: range, on: links(pairs)) }
            output("delay \(TimeFormat.duration(range.lowerBound))..\(TimeFormat.duration(range.upperBound)) on \(linksText(pairs))" + stamp())
        case .wait(let d):
            let c = try currentCluster()
            let start = c.now
            c.wait(d)
            if c.takeInterrupted() {
                throw failure(s, "interrupted after \(TimeFormat.duration(c.now - start)) of \(TimeFormat.duration(d))")
            }
            output("waited \(TimeFormat.duration(d))" + stamp())
        case .waitUntil(let cond, let within):
            let c = try currentCluster()
            let limit = within ?? options.waitLimit
            let start = c.now
            let ok = try waitUntil(cond, within: limit, s)
            if c.takeInterrupted() || interruptCheck?() == true {
                throw failure(s, "interrupted after \(TimeFormat.duration(c.now - start))")
            }
            if !ok {
                let (_, seen) = try evaluate(cond, s)
                throw failure(s, "wait until \(cond.sourceText): not reached within \(TimeFormat.duration(limit))",
                              expected: cond.sourceText, seen: seen)
            }
            let (_, seen) = try evaluate(cond, s)
            output("\(seen), after \(TimeFormat.duration(c.now - start))" + stamp())
        case .expect(let cond):
            _ = try currentCluster()
            let (ok, seen) = try evaluate(cond, s)
            if !ok {
                throw failure(s, "expectation failed: expect \(cond.sourceText)", expected: expectedText(cond), seen: seen)
            }
            output("ok: \(seen)" + stamp())
        case .workloadStart(let w):
            let c = try currentCluster()
            var spec = WorkloadSpec(clients: w.clients)
            if let r = w.requests { spec.requests = r }
            if let r = w.ratio { spec.readRatio = r }
            if let k = w.keys { spec.keys = k }
            spec.rate = w.rate
            if let b = w.valueSize { spec.valueSize = b }
            try c.startWorkload(spec)
            output("workload started: \(spec.clients) clients, \(spec.requests) requests, ratio \(spec.readRatio), \(spec.keys) keys" + stamp())
        case .workloadStop:
            let c = try currentCluster()
            guard c.workload != nil else { throw failure(s, "no workload is running") }
            c.stopWorkload()
            output("workload stopped" + stamp())
        case .report:
            let c = try currentCluster()
            guard let w = c.workload else {
                output("no workload has run yet; start one with `workload start clients N`")
                return
            }
            output(WorkloadReport(cluster: c, workload: w).text)
        case .status:
            output(statusTable(try currentCluster()))
        case .log(let sel):
            let c = try inspection(s, "log")
            for id in try resolve(sel, in: s) { output(logText(c, id)) }
        case .trace(let on):
            traceOn = on
            cluster?.trace = on ? output : nil
            output("trace \(on ? "on" : "off")")
        case .history:
            let c = try currentCluster()
            let ops = c.history.operations
            output(ops.isEmpty ? "no operations yet" : Check.describe(ops))
        case .echo(let text):
            output(text)
        case .help(let topic):
            if let topic {
                guard let text = Help.text(for: topic) else { throw failure(s, "no help for '\(topic)'; type `help` for the list") }
                output(text)
            } else {
                output(Help.overview())
            }
        case .letBinding(let name, let value):
            let c = try currentCluster()
            switch value {
            case .term:
                variables[name] = .number(Int(try inspection(s, "let \(name) = term").term))
            case .nodes(let sel):
                variables[name] = .nodes(try resolve(sel, in: s))
            }
            output("\(name) = \(variables[name]!)")
        case .repeatBlock(let count, let body):
            for _ in 0..<count {
                for b in body { try execute(b) }
            }
        case .save(let file):
            guard options.allowSave, let saveHandler else {
                throw failure(s, "`save` works at the prompt only")
            }
            output(try saveHandler(file))
        }
    }

    // MARK: - Client operations

    func clientOp(_ s: Statement, _ op: KVOperation, _ opts: ClientOptions) throws -> OperationResult {
        let c = try currentCluster()
        var via: NodeID? = nil
        if let sel = opts.via {
            let ids = try resolve(sel, in: s)
            guard ids.count == 1 else { throw failure(s, "`via` needs exactly one node, got \(ids.count)") }
            via = ids[0]
        }
        return c.perform(op, via: via, timeout: opts.timeout ?? options.operationTimeout)
    }

    func describe(_ r: OperationResult) -> String {
        let lat = TimeFormat.duration(r.latency)
        let by = r.node != noNode ? "  node \(r.node)" : ""
        switch r.outcome {
        case .ok(.ok):
            return "ok  index \(r.index)\(by)  \(lat)" + stamp()
        case .ok(.value(let v)):
            return "\(v.map(quoteIfNeeded) ?? "none")  index \(r.index)\(by)  \(lat)" + stamp()
        case .ok(.casFailed(let v)):
            return "cas failed: current value \(v.map(quoteIfNeeded) ?? "none")  index \(r.index)\(by)  \(lat)" + stamp()
        case .ok(.casMismatch):
            return "cas failed: another value  index \(r.index)\(by)  \(lat)" + stamp()
        case .fail, .unknown:
            let why = r.failure ?? "failed"
            let note = r.outcome == .unknown ? " (outcome unknown)" : ""
            return "\(why)\(note)\(by)  \(lat)" + stamp()
        }
    }

    // MARK: - Status and logs

    func statusTable(_ c: any Cluster) -> String {
        var rows = [["node", "role", "term", "commit", "applied", "last", "state", "group"]]
        for id in c.nodeIDs {
            let st = c.status(of: id)
            rows.append([String(id), st.role?.rawValue ?? "-", String(st.term), String(st.commit),
                         st.state == .down ? "-" : String(st.applied), String(st.lastIndex), st.state.rawValue,
                         st.group.map { $0 == 0 ? "isolated" : String($0) } ?? "-"])
        }
        var leaderText = ""
        if let c = c as? any StateInspection {
            leaderText = "\n" + (c.leader.map { "leader \($0), term \(c.term)" } ?? "no leader")
        }
        let paint: ((String, Int) -> String?)? = options.color ? { cell, col in
            switch (col, cell) {
            case (1, "leader"): return "\u{1B}[1;32m"
            case (1, "candidate"), (1, "pre-candidate"): return "\u{1B}[33m"
            case (6, "down"): return "\u{1B}[31m"
            case (6, "paused"): return "\u{1B}[35m"
            case (_, _) where col == 0: return "\u{1B}[1m"
            default: return nil
            }
        } : nil
        return renderTable(rows, paint: paint) + leaderText + stamp()
    }

    func logText(_ c: any StateInspection, _ id: NodeID) -> String {
        guard let entries = c.logEntries(of: id) else { return "node \(id) is down" }
        let st = c.status(of: id)
        var rows = [["index", "term", "entry", ""]]
        for e in entries {
            var text: String
            switch e.kind {
            case .noop: text = "no-op"
            case .config: text = "config"
            case .normal:
                if let cmd = try? Command.decode(e.data) {
                    text = "\(cmd.op.sourceText)  (client \(cmd.client) #\(cmd.seq))"
                } else {
                    text = "<\(e.data.count) bytes>"
                }
            }
            let mark = e.index <= st.commit ? "committed" : ""
            rows.append([String(e.index), String(e.term), text, mark])
        }
        return "log of node \(id) (\(entries.count) entries, commit \(st.commit)):\n" + renderTable(rows)
    }

    // MARK: - Selectors

    /// Resolve one selector on a line that names nothing else.
    func resolve(_ sel: NodeSelector, in s: Statement) throws -> [NodeID] {
        try resolveLine([sel], in: s)[0]
    }

    func resolveLink(_ link: Link, in s: Statement) throws -> [(NodeID, NodeID)] {
        let r = try resolveLine([link.from, link.to], in: s)
        var pairs: [(NodeID, NodeID)] = []
        for a in r[0] { for b in r[1] where a != b { pairs.append((a, b)) } }
        if pairs.isEmpty { throw failure(s, "the link names no pair of distinct nodes") }
        return pairs
    }

    /// Resolve the selectors of one line together: each `follower` is a different follower not named
    /// elsewhere on the line; `rest` is every node not named elsewhere on the line.
    func resolveLine(_ sels: [NodeSelector], in s: Statement) throws -> [[NodeID]] {
        let c = try currentCluster()
        var named = Set<NodeID>()
        var out: [[NodeID]?] = Array(repeating: nil, count: sels.count)
        // Everything but `follower` and `rest` first, so those can avoid what is named.
        func direct(_ sel: NodeSelector) throws -> [NodeID]? {
            switch sel {
            case .ids(let ids): return ids.map { NodeID($0) }
            case .leader:
                guard let l = try inspection(s, "leader").leader else { throw failure(s, "no leader") }
                return [l]
            case .followers:
                let l = try inspection(s, "followers").leader
                return c.nodeIDs.filter { $0 != l && c.status(of: $0).state != .down }
            case .all: return c.nodeIDs
            case .variable(let name):
                guard let v = variables[name] else { throw failure(s, "unknown variable $\(name)") }
                guard case .nodes(let ids) = v else { throw failure(s, "$\(name) is a number, not nodes") }
                return ids
            case .follower, .rest: return nil
            case .union(let parts):
                var ids: [NodeID] = []
                for p in parts { if let r = try direct(p) { ids += r } }
                return ids
            }
        }
        for (i, sel) in sels.enumerated() {
            if let r = try direct(sel) {
                out[i] = r
                named.formUnion(r)
            }
        }
        func pickFollower() throws -> NodeID {
            let l = try inspection(s, "follower").leader
            let candidates = c.nodeIDs.filter { $0 != l && !named.contains($0) && c.status(of: $0).state != .down }
            guard !candidates.isEmpty else { throw failure(s, "no follower left to pick") }
            let f = candidates[c.choose(candidates.count)]
            named.insert(f)
            return f
        }
        func withFollowers(_ sel: NodeSelector) throws -> [NodeID]? {
            switch sel {
            case .follower: return [try pickFollower()]
            case .union(let parts):
                guard parts.contains(where: { if case .follower = $0 { return true }; return false }) else { return nil }
                var ids: [NodeID] = []
                for p in parts {
                    if case .follower = p { ids.append(try pickFollower()) } else if let r = try direct(p) { ids += r }
                }
                return ids
            default: return nil
            }
        }
        for (i, sel) in sels.enumerated() {
            if let r = try withFollowers(sel) {
                out[i] = r
                named.formUnion(r)
            }
        }
        let rest = c.nodeIDs.filter { !named.contains($0) }
        for (i, sel) in sels.enumerated() where out[i] == nil {
            switch sel {
            case .rest: out[i] = rest
            case .union(let parts):
                var ids = try direct(sel) ?? []
                if parts.contains(.rest) { ids += rest }
                out[i] = ids
            default: out[i] = []
            }
        }
        var result: [[NodeID]] = []
        for r in out {
            var seen = Set<NodeID>()
            let ids = r!.filter { seen.insert($0).inserted }
            for id in ids where !c.nodeIDs.contains(id) {
                throw failure(s, "node \(id) is not in this \(c.nodeIDs.count)-node cluster")
            }
            result.append(ids)
        }
        return result
    }
}

func fmtPct(_ p: Double) -> String { TimeFormat.fixed(p, p == p.rounded() ? 0 : 1) + "%" }

/// Resolved node pairs as links of the network model (nil: every link).
func links(_ pairs: [(NodeID, NodeID)]?) -> [ClusterModel.Link]? {
    pairs.map { $0.map { ClusterModel.Link($0.0, $0.1) } }
}

func linksText(_ pairs: [(NodeID, NodeID)]?) -> String {
    guard let pairs else { return "all links" }
    return pairs.map { "\($0.0) -> \($0.1)" }.joined(separator: ", ")
}

func quoteIfNeeded(_ v: String) -> String {
    v.isEmpty || v.contains(where: { $0 == " " || $0 == "#" || $0 == "\"" }) ? "\"" + v.replacingAll("\"", "\\\"") + "\"" : v
}

extension String {
    func replacingAll(_ a: Character, _ b: String) -> String {
        var out = ""
        for ch in self { if ch == a { out += b } else { out.append(ch) } }
        return out
    }
}

/// Left-aligned columns separated by two spaces. `paint` may return an ANSI color for a body cell
/// (widths are measured without it).
func renderTable(_ rows: [[String]], paint: ((String, Int) -> String?)? = nil) -> String {
    guard let first = rows.first else { return "" }
    var widths = Array(repeating: 0, count: first.count)
    for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.enumerated().map { (rowIndex, r) in
        var line = ""
        for (i, cell) in r.enumerated() {
            if rowIndex > 0, let color = paint?(cell, i) {
                line += color + cell + "\u{1B}[0m"
            } else {
                line += cell
            }
            if i < r.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }.joined(separator: "\n")
}

extension KVOperation {
    /// The operation as a scenario line.
    public var sourceText: String {
        switch self {
        case .put(let k, let v): return "put \(k) \(quoteIfNeeded(v))"
        case .get(let k): return "get \(k)"
        case .delete(let k): return "delete \(k)"
        case .cas(let k, let from, let to): return "cas \(k) \(quoteIfNeeded(from)) \(quoteIfNeeded(to))"
        case .append(let k, let v): return "append \(k) \(quoteIfNeeded(v))"
        }
    }
}
