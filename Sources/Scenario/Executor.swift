import RaftCore
import ClusterModel
import Sim

/// Runs statements against a `Cluster`, printing each answer through `output`.
///
/// The executor only dispatches: each statement's command carries out itself
/// (`ScenarioCommand.execute(in:)`) through an `ExecutionContext`, which holds the shared helpers
/// (capabilities, selectors, client operations, failures). The executor keeps the session's
/// state: the cluster, the variables bound by `let`, whether tracing is on.
///
/// The same executor serves `raftsh run` (a whole file, stopping at the first failure) and the
/// shell (line by line: a failure is printed and the session goes on).
public final class Executor {
    /// Settings that do not come from the script.
    public var options: ExecutorOptions
    /// Where answers go, one call per line.
    public var output: (String) -> Void
    /// Also receives the answers of commands written to be seen (`ScenarioCommand.printsInRuns`:
    /// `report`, `status`, `log`, `history`, `faults`, `echo`), which `raftsh run` prints without
    /// `--verbose`.
    public var shown: ((String) -> Void)?
    /// Makes a cluster for a `cluster` line (the shell and runner supply UDP when available).
    public var makeCluster: (ClusterConfig, UInt64, ExecutorOptions) throws -> any Cluster
    /// Called for `save FILE` (the shell provides it).
    public var saveHandler: ((String) throws -> String)?
    /// Polled while time passes (the shell's Ctrl-C); a wait cut short fails with "interrupted".
    public var interruptCheck: (() -> Bool)? {
        didSet { cluster?.interruptCheck = interruptCheck }
    }
    /// The cluster of the latest `cluster` line (or the default one), once made.
    public internal(set) var cluster: (any Cluster)?
    /// Variables bound by `let`.
    public internal(set) var variables: [String: Value] = [:]
    /// Statements executed (repeat bodies count each time).
    public private(set) var statementsRun = 0
    /// Whether `trace on` is in force (a new cluster inherits it).
    var traceOn = false
    /// What the top-level statement being run (or the last one) did to the cluster, as lines that
    /// do it again: the client operations it ran and the time it let pass, and the nested lines
    /// (of a `repeat`) that ran to their end. The shell saves a failed or interrupted line as a
    /// comment followed by these, so that a saved session replays to the same state and time.
    public private(set) var ranSource: [String] = []
    private var depth = 0

    /// A `let` value.
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        /// Nodes (`let L = leader`).
        case nodes([NodeID])
        /// A number (`let T = term`).
        case number(Int)
        /// The value as `let` prints it: `1,2` or `3`.
        public var description: String {
            switch self {
            case .nodes(let ids): return ids.map(String.init).joined(separator: ",")
            case .number(let n): return String(n)
            }
        }
    }

    /// An executor printing through `output`; `cluster` lines make simulated clusters.
    public init(options: ExecutorOptions = ExecutorOptions(), output: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.output = output
        self.makeCluster = { cfg, seed, opts in
            try Executor.simulated(opts.clusterOverride.apply(to: cfg), seed: seed, recordMessages: opts.recordMessages)
        }
    }

    /// The simulator for a `cluster` line.
    public static func simulated(_ cfg: ClusterConfig, seed: UInt64, recordMessages: Bool = false) throws -> SimulatedCluster {
        var sc = SimConfig(nodes: cfg.nodes, seed: seed)
        if let e = cfg.election { sc.electionTimeout = e }
        if let h = cfg.heartbeat { sc.heartbeat = h }
        if let l = cfg.latency { sc.latency = l }
        sc.diskLatency = cfg.disk
        if let n = cfg.snapshotEvery { sc.snapshotEvery = n }
        sc.bug = cfg.bug
        let c = try SimulatedCluster(config: sc)
        c.recordsMessages = recordMessages
        return c
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

    /// Execute one statement: its command runs, then a broken invariant or an interrupt fails it.
    public func execute(_ s: Statement) throws(ScenarioFailure) {
        statementsRun += 1
        if depth == 0 { ranSource = [] }
        let mark = ranSource.count
        depth += 1
        defer { depth -= 1 }
        let x = ExecutionContext(executor: self, statement: s)
        do {
            try s.command.execute(in: x)
        } catch {
            // A broken invariant stops the run, and is what the line failed on (a wait or an
            // operation cut short by it would otherwise report only its own symptom).
            if let c = cluster as? any InvariantChecking, let v = c.violation { throw x.failure(v.description) }
            if let f = error as? ScenarioFailure { throw f }
            throw x.failure("\(error)")
        }
        if let c = cluster as? any InvariantChecking, let v = c.violation {
            throw x.failure(v.description)
        }
        if let c = cluster, c.takeInterrupted() {
            throw x.failure("interrupted")
        }
        // A nested line that ran to its end is recorded as itself (its operations included).
        if depth > 1 {
            ranSource.removeSubrange(mark...)
            ranSource.append(s.sourceText)
        }
    }

    /// Records a line that reproduces part of what the statement being run did (see `ranSource`).
    func ran(_ line: String) { ranSource.append(line) }
}
