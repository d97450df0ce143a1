import KV
import Check

/// `cas KEY FROM TO [via NODE] [timeout DURATION] fails [with mismatch|timeout|not-leader|no-quorum]`:
/// a compare-and-set is tried and does not set KEY to TO — it found another value than FROM (the
/// store answered "cas failed"), or it was not committed at all, as for `expect put ... fails`.
public struct CasFailsCondition: ScenarioCondition {
    /// The row of `expect cas`.
    public static let spec = CommandSpec(
        name: "expect cas",
        synopsis: "expect cas KEY FROM TO [via NODE] [timeout DURATION] fails [with mismatch|timeout|not-leader|no-quorum]",
        summary: "A compare-and-set is tried and does not apply: the store answered that KEY holds another value than FROM (mismatch), or the cas was not committed, with the reasons and rules of expect put ... fails. Without `with`, either holds, but not a redirect. Checked once: `wait until cas ... fails` is refused.",
        example: "expect cas x 1 2 fails with mismatch",
        keywords: ["via", "timeout", "fails", "with", "mismatch"] + FailureReason.allCases.map(\.rawValue),
        category: .assertions)

    /// How a cas must fail.
    public enum Expected: Sendable, Hashable {
        /// The store answered: KEY held another value than FROM.
        case mismatch
        /// The cas was not committed, for this reason.
        case notCommitted(FailureReason)
    }

    /// The compare-and-set, as the `cas` command writes it.
    public var write: CasCommand
    /// How it must fail, or nil for any way but a redirect.
    public var expected: Expected?

    /// A `cas ... fails` condition.
    public init(key: String, from: String, to: String, options: ClientOptions = ClientOptions(), expected: Expected? = nil) {
        write = CasCommand(key: key, from: from, to: to, options: options)
        self.expected = expected
    }

    /// Reads a `cas` line, then `fails [with mismatch|REASON]`, then more client options.
    public init(parsing p: inout LineParser) throws(ParseError) {
        write = try CasCommand(parsing: &p)
        try p.expect(word: "fails")
        if p.accept(word: "with") {
            expected = p.accept(word: "mismatch") ? .mismatch : .notCommitted(try p.parseFailureReasonWord(extra: ["mismatch"]))
        } else {
            p.trailing.append("'with'")
            expected = nil
        }
        write.options = try p.parseClientOptions(write.options)
    }

    /// `cas x 1 2 fails`, `cas x 1 2 via 1 fails with mismatch`.
    public var sourceText: String {
        let with: String = switch expected {
        case nil: ""
        case .mismatch?: " with mismatch"
        case .notCommitted(let reason)?: " with " + reason.sourceText
        }
        return write.sourceText + " fails" + with
    }

    /// A cas runs.
    public var runsOperations: Bool { true }

    /// It writes: `wait until cas ... fails` is refused.
    public var writes: Bool { true }

    /// The key.
    public var keys: [String] { write.keys }

    /// Runs the cas; holds when the store answered a mismatch (unless another reason is named), or
    /// when it was not acknowledged, is committed on no node that is up, and failed as named.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let via = try write.options.via.map { try x.resolveOne($0, for: "via") }
        let viaLed = via.flatMap { x.isLeading($0) }
        var options = write.options
        options.via = via.map { .ids([Int($0)]) }
        let r = try x.clientOp(write.operation, options)
        let what = ValueText.operation(write.operation)
        switch r.outcome {
        case .ok(.casFailed(let current)):
            let seen = "\(what) found \(current.map(ValueText.display) ?? "none"), not \(ValueText.display(write.from)) (index \(r.index))"
            if case .notCommitted? = expected { return (false, seen + ": a mismatch, not a write that was not committed") }
            return (true, seen)
        case .ok(.casMismatch):
            if case .notCommitted? = expected { return (false, "\(what) found another value: a mismatch, not a write that was not committed") }
            return (true, "\(what) found another value than \(ValueText.display(write.from))")
        case .ok:
            return (false, "\(what) succeeded at index \(r.index)" + (r.node != 0 ? " (node \(r.node))" : ""))
        default:
            break
        }
        let why = r.failure ?? "no answer"
        if let (node, index) = x.committedEntry(of: r) {
            return (false, "\(what) got no acknowledgement (\(why)) but is committed at index \(index) on node \(node)")
        }
        let facts = try x.failureFacts(r, via: via, viaLed: viaLed)
        let seen = "\(what) failed: \(why); \(facts.quorumText)"
        switch expected {
        case .mismatch?: return (false, seen + ": not a mismatch")
        case .notCommitted(let reason)?: return (facts.matches(reason), seen)
        case nil:
            if facts.redirected {
                return (false, "node \(via ?? r.node) does not lead: it answered \"\(why)\" without trying the cas, "
                    + "which is a redirect, not a failure; write `fails with not-leader` to expect one")
            }
            return (true, seen + ", not committed")
        }
    }
}
