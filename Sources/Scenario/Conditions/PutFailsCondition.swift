/// `put KEY VALUE [via NODE] [timeout DURATION] fails [with REASON]`: a write is tried and not
/// committed. A node that does not lead redirects a write without trying it: that counts only for
/// `fails with not-leader`.
public struct PutFailsCondition: ScenarioCondition {
    /// The row of `expect put`.
    public static let spec = CommandSpec(
        name: "expect put",
        synopsis: "expect put KEY VALUE [via NODE] [timeout DURATION] fails [with timeout|not-leader|no-quorum]",
        summary: "A write is tried and not committed: no acknowledgement, and no node that is up has it committed. A redirect from a node that does not lead is not a failed write (it never tried); `with` names the reason: timeout (no answer in time), not-leader (a not-leader answer, redirects included), no-quorum (no acknowledgement while the node handling it, the via node or else every node up, could not reach a quorum). Checked once: `wait until put ... fails` is refused.",
        example: "expect put x 2 timeout 1s fails",
        keywords: ["via", "timeout", "fails", "with"] + FailureReason.allCases.map(\.rawValue),
        category: .assertions)

    /// The write, as the `put` command writes it.
    public var write: PutCommand
    /// The reason the write must fail with, or nil for any failure but a redirect.
    public var reason: FailureReason?

    /// A `put ... fails` condition.
    public init(key: String, value: String, options: ClientOptions = ClientOptions(), reason: FailureReason? = nil) {
        write = PutCommand(key: key, value: value, options: options)
        self.reason = reason
    }

    /// Reads a `put` line, then `fails [with REASON]`, then more client options.
    public init(parsing p: inout LineParser) throws(ParseError) {
        write = try PutCommand(parsing: &p)
        try p.expect(word: "fails")
        reason = try p.parseFailureReason()
        write.options = try p.parseClientOptions(write.options)
    }

    /// `put x 2 fails`, `put x 2 via 1 fails with not-leader`.
    public var sourceText: String { write.sourceText + " fails" + (reason.map { " with " + $0.sourceText } ?? "") }

    /// A write runs.
    public var runsOperations: Bool { true }

    /// It writes: `wait until put ... fails` is refused.
    public var writes: Bool { true }

    /// The key.
    public var keys: [String] { write.keys }

    /// Runs the write; holds when it was not acknowledged, is committed on no node that is up, and
    /// failed as `reason` says (without a reason: in any way but a redirect).
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        // Resolve `via` once (a `follower` picks once), and see whether it leads as the write goes.
        let via = try write.options.via.map { try x.resolveOne($0, for: "via") }
        let viaLed = via.flatMap { x.isLeading($0) }
        var options = write.options
        options.via = via.map { .ids([Int($0)]) }
        let r = try x.clientOp(write.operation, options)
        let what = "put \(write.key)"
        if r.succeeded { return (false, "\(what) succeeded at index \(r.index)" + (r.node != 0 ? " (node \(r.node))" : "")) }
        let why = r.failure ?? "no answer"
        if let (node, index) = x.committedEntry(of: r) {
            return (false, "\(what) got no acknowledgement (\(why)) but is committed at index \(index) on node \(node)")
        }
        let facts = try x.failureFacts(r, via: via, viaLed: viaLed)
        let seen = "\(what) failed: \(why); \(facts.quorumText)"
        if let reason { return (facts.matches(reason), seen) }
        if facts.redirected {
            return (false, "node \(via ?? r.node) does not lead: it answered \"\(why)\" without trying to commit the write, "
                + "which is a redirect, not a failed write; write `fails with not-leader` to expect one")
        }
        return (true, seen + ", not committed")
    }
}
