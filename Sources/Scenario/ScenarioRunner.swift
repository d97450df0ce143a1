import Foundation
import ClusterModel
import Check

/// The outcome of one scenario under one seed.
public struct ScenarioResult: Sendable {
    public enum Status: Sendable, Equatable { case passed, failed, parseError }
    public var file: String
    /// The seed the run used (the file's own, or the one given on the command line).
    public var seed: UInt64
    public var status: Status
    public var failure: ScenarioFailure?
    public var parseError: ParseError?
    /// The rendered error, with the source line and caret.
    public var errorText: String?
    public var statements: Int
    public var steps: Int
    /// Cluster time at the end (virtual in simulation).
    public var clusterTime: UInt64
    /// The kind of the last cluster the scenario ran on (nil if it made none).
    public var clusterKind: ClusterKind? = nil
    public var wallSeconds: Double
    /// Every line the statements printed.
    public var output: [String]
    /// The client history of the last cluster the scenario ran on (nil if it made none).
    public var history: History?
    /// The lines of the commands written to be seen (`report`, `status`, `log`, `history`,
    /// `faults`, `echo`): what `raftsh run` prints without `--verbose`.
    public var shown: [String] = []
}

/// Finds `.scn` files and runs them; prints nothing itself.
public struct ScenarioRunner {
    public var options: ExecutorOptions
    /// Every message and state change goes to the output too.
    public var trace = false
    /// Makes clusters for `cluster` lines (the simulator by default).
    public var makeCluster: ((ClusterConfig, UInt64, ExecutorOptions) throws -> any Cluster)?

    public init(options: ExecutorOptions = ExecutorOptions()) { self.options = options }

    /// `paths` expanded: files as given, folders searched recursively for `*.scn`, sorted.
    public static func collect(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                throw ClusterError("cannot read \(p): no such file or folder")
            }
            if isDir.boolValue {
                guard let e = fm.enumerator(atPath: p) else { continue }
                var found: [String] = []
                for case let rel as String in e where rel.hasSuffix(".scn") {
                    found.append((p as NSString).appendingPathComponent(rel))
                }
                out += found.sorted()
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// The modes a file declares in a `# modes: sim udp` header line (default: sim).
    public static func modes(of source: String) -> Set<String> {
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).prefix(20) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("# modes:") {
                return Set(t.dropFirst("# modes:".count).split(separator: " ").map(String.init))
            }
        }
        return ["sim"]
    }

    /// Parse and run one scenario.
    public func run(file: String, source: String, seed: UInt64?) -> ScenarioResult {
        var opts = options
        opts.seedOverride = seed
        var lines: [String] = []
        var shown: [String] = []
        let exec = Executor(options: opts) { lines.append($0) }
        exec.shown = { shown.append($0) }
        if let makeCluster { exec.makeCluster = makeCluster }
        let clock = ContinuousClock()
        let start = clock.now
        var result = ScenarioResult(file: file, seed: seed ?? opts.seed, status: .passed, statements: 0, steps: 0,
                                    clusterTime: 0, wallSeconds: 0, output: [])
        do {
            let script = try Parser.parse(source, file: file, options: ParserOptions(defaultNodes: opts.defaultNodes))
            do {
                if trace { try exec.execute(Statement(location: SourceLocation(file: file, line: 0, column: 0), command: TraceCommand(on: true))) }
                try exec.run(script)
            } catch {
                result.status = .failed
                result.failure = error
                result.errorText = error.render(source: sourceLine(source, error.location.line))
                    + Self.processLogs(of: exec.cluster)
            }
        } catch {
            result.status = .parseError
            result.parseError = error
            result.errorText = error.render()
        }
        let d = clock.now - start
        result.wallSeconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        if let c = exec.cluster {
            result.history = c.history
            result.seed = c.seed
            result.steps = c.steps
            result.clusterTime = c.now
            result.clusterKind = c.kind
        }
        result.statements = exec.statementsRun
        result.output = lines
        result.shown = shown
        return result
    }

    /// For a failure on nodes raftsh cannot inspect (exec clusters): the end of each node's log.
    static func processLogs(of cluster: (any Cluster)?) -> String {
        guard let c = cluster as? any ProcessLogs, !(c is any StateInspection) else { return "" }
        var out = ""
        for id in c.nodeIDs {
            let tail = c.processLog(of: id, lines: 5) ?? ""
            out += "\nstandard error of node \(id):" + (tail.isEmpty ? " (empty)" : "\n" + tail.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        }
        return out
    }

    func sourceLine(_ source: String, _ line: Int) -> String? {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        return String(lines[line - 1])
    }
}

/// JUnit XML for CI dashboards.
public enum JUnitReport {
    /// The report of `results`; each `<failure>` holds the error and the line that reproduces the
    /// run (`reproduce` gives it; by default `raftsh run FILE --seed N`).
    public static func xml(_ results: [ScenarioResult],
                           reproduce: (ScenarioResult) -> String = { reproduceLine($0) }) -> String {
        let failures = results.filter { $0.status == .failed }.count
        let errors = results.filter { $0.status == .parseError }.count
        let total = results.reduce(0.0) { $0 + $1.wallSeconds }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites>\n"
        out += "  <testsuite name=\"raftsh scenarios\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(String(format: "%.3f", total))\">\n"
        for r in results {
            out += "    <testcase classname=\"scenarios\" name=\"\(escape(r.file)) [seed \(r.seed)]\" time=\"\(String(format: "%.3f", r.wallSeconds))\""
            switch r.status {
            case .passed:
                out += "/>\n"
            case .failed:
                let text = (r.errorText ?? "") + "\nreproduce: " + reproduce(r)
                out += ">\n      <failure message=\"\(escape(r.failure?.message ?? ""))\">\(escape(text))</failure>\n    </testcase>\n"
            case .parseError:
                out += ">\n      <error message=\"\(escape(r.parseError?.message ?? ""))\">\(escape(r.errorText ?? ""))</error>\n    </testcase>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    static func escape(_ s: String) -> String { xmlEscape(s) }

    /// The one command that runs `r`'s scenario again as it ran: `raftsh run FILE --seed N` in
    /// simulation; on real nodes, whose runs no seed reproduces, without the seed (and with
    /// the runner's flag, such as `--udp`, `--netns` or `--exec CMD`, when the run was forced onto
    /// real nodes).
    public static func reproduceLine(_ r: ScenarioResult, runnerFlag: String? = nil) -> String {
        if let runnerFlag { return "raftsh run \(runnerFlag) \(r.file)" }
        if let kind = r.clusterKind, kind != .simulated { return "raftsh run \(r.file)" }
        return "raftsh run \(r.file) --seed \(r.seed)"
    }
}

/// `s` with XML's five special characters escaped (JUnit reports, SVG charts).
func xmlEscape(_ s: String) -> String {
    var o = ""
    for ch in s {
        switch ch {
        case "&": o += "&amp;"
        case "<": o += "&lt;"
        case ">": o += "&gt;"
        case "\"": o += "&quot;"
        case "'": o += "&apos;"
        default: o.append(ch)
        }
    }
    return o
}
