import Check
import ClusterModel

/// What a command sees while it runs: the executor (its cluster, variables and options) and the
/// statement being run, whose location every failure carries. Its extensions hold the helpers
/// commands and conditions share: capabilities, selectors, client operations.
public struct ExecutionContext {
    /// The executor running the statement.
    public let executor: Executor
    /// The statement being run.
    public let statement: Statement
    /// The cluster time the line must not run past (`wait until … within D`): client operations
    /// the line runs are bounded by the time left. Nil: no bound but each operation's timeout.
    var deadline: UInt64?

    /// The context of `statement` on `executor`.
    public init(executor: Executor, statement: Statement) {
        self.executor = executor
        self.statement = statement
    }

    /// The executor's settings.
    var options: ExecutorOptions { executor.options }

    /// Prints one answer (also through `Executor.shown` when the command prints in runs).
    func output(_ text: String) {
        executor.output(text)
        if type(of: statement.command).printsInRuns { executor.shown?(text) }
    }

    /// `  [t=1.234s]`: the cluster's time, appended to answers.
    func stamp() -> String { "  [\(TimeFormat.instant(executor.cluster?.now ?? 0))]" }

    /// A failure of this statement, at the cluster's time, with the seed when it reproduces the
    /// run (a simulated cluster).
    func failure(_ message: String, expected: String? = nil, seen: String? = nil) -> ScenarioFailure {
        let c = executor.cluster
        return ScenarioFailure(location: statement.location, message: message, expected: expected, seen: seen,
                               time: c?.now ?? 0, seed: c?.kind == .simulated ? c?.seed : nil)
    }

    /// A failure that no time or seed explains (a file that cannot be written).
    func plainFailure(_ message: String) -> ScenarioFailure {
        ScenarioFailure(location: statement.location, message: message, time: nil, seed: nil)
    }

    /// The cluster, making the default one on first use.
    func cluster() throws -> any Cluster { try executor.currentCluster() }

    // MARK: - Capabilities

    /// The cluster as `P`, or a failure naming the line (`what`) and the cluster kind:
    /// "`expect invariants` is not available on udp clusters".
    func capability<P>(_ type: P.Type, for what: String) throws -> P {
        let c = try cluster()
        guard let p = c as? P else { throw failure(ClusterError.unavailable("`\(what)`", on: c.kind).message) }
        return p
    }

    /// The cluster's crash, restart, pause and resume, for `what`.
    func processControl(_ what: String) throws -> any ProcessControl {
        try capability((any ProcessControl).self, for: what)
    }

    /// The cluster's network fault model, for `what`.
    func networkControl(_ what: String) throws -> any NetworkControl {
        try capability((any NetworkControl).self, for: what)
    }

    /// The cluster's Raft state, for `what`.
    func inspection(_ what: String) throws -> any StateInspection {
        try capability((any StateInspection).self, for: what)
    }
}

extension ExecutionContext {
    /// The cluster's snapshots, for `what`.
    func snapshotting(_ what: String) throws -> any Snapshotting {
        try capability((any Snapshotting).self, for: what)
    }
}
