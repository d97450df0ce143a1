import Check
import RaftCore
import KV
import ClusterModel

// Client operations run by a line (`put`, `get`, `delete`, and the conditions that read or write).

extension ExecutionContext {
    /// Runs `op` through a client: to the `via` node only when the line names one, within the
    /// line's `timeout` or the executor's default, and never past the line's `deadline`.
    func clientOp(_ op: KVOperation, _ opts: ClientOptions) throws -> OperationResult {
        let c = try cluster()
        let via = try opts.via.map { try resolveOne($0, for: "via") }
        var timeout = opts.timeout ?? options.operationTimeout
        if let deadline { timeout = min(timeout, deadline > c.now ? deadline - c.now : 0) }
        let r = c.perform(op, via: via, timeout: timeout)
        executor.ran(op.sourceText + (via.map { " via \($0)" } ?? "") + " timeout " + Literals.formatDuration(timeout))
        return r
    }

    /// Lets `d` of cluster time pass (cut short by an interrupt), and records the time that did.
    func passTime(_ d: UInt64) {
        guard let c = executor.cluster else { return }
        let start = c.now
        c.wait(d)
        recordTimePassed(c.now - start)
    }

    /// Records that `d` of cluster time passed while the line ran (see `Executor.ranSource`).
    func recordTimePassed(_ d: UInt64) {
        guard d > 0 else { return }
        let exact = Literals.formatDuration(d)
        // An odd duration is written to the nanosecond; a comment says it the short way.
        executor.ran("wait " + exact + (exact.hasSuffix("ns") || exact.hasSuffix("us") ? "  # \(TimeFormat.duration(d))" : ""))
    }

    /// Runs `op` and prints its outcome, latency and time (`put`, `get`, `delete`).
    func runClientOp(_ op: KVOperation, _ opts: ClientOptions) throws {
        let r = try clientOp(op, opts)
        output(OperationText.describe(r) + stamp())
    }
}
