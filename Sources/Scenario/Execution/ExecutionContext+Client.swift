import RaftCore
import KV
import ClusterModel

// Client operations run by a line (`put`, `get`, `delete`, and the conditions that read or write).

extension ExecutionContext {
    /// Runs `op` through a client: to the `via` node only when the line names one, within the
    /// line's `timeout` or the executor's default.
    func clientOp(_ op: KVOperation, _ opts: ClientOptions) throws -> OperationResult {
        let c = try cluster()
        var via: NodeID? = nil
        if let sel = opts.via {
            let ids = try resolve(sel)
            guard ids.count == 1 else { throw failure("`via` needs exactly one node, got \(ids.count)") }
            via = ids[0]
        }
        return c.perform(op, via: via, timeout: opts.timeout ?? options.operationTimeout)
    }

    /// Runs `op` and prints its outcome, latency and time (`put`, `get`, `delete`).
    func runClientOp(_ op: KVOperation, _ opts: ClientOptions) throws {
        let r = try clientOp(op, opts)
        output(OperationText.describe(r) + stamp())
    }
}
