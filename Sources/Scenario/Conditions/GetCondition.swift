/// `get KEY [via NODE] [timeout DURATION] == VALUE|none` (a read returns this) and
/// `get KEY [via NODE] [timeout DURATION] fails` (a read gets no answer, or an error).
public struct GetCondition: ScenarioCondition {
    /// What the read should give.
    public enum Outcome: Sendable, Hashable {
        /// `== VALUE` or `== none`.
        case value(ExpectedValue)
        /// `fails [with REASON]`: no value comes back (for the reason given).
        case fails(FailureReason?)
    }

    /// The row of `expect get`.
    public static let spec = CommandSpec(
        name: "expect get",
        synopsis: "expect get KEY [via NODE] [timeout DURATION] (== VALUE | == none | fails [with timeout|not-leader|no-quorum])",
        summary: "A read of KEY returns VALUE, finds no value, or fails: returns no value (no answer in time, or a not-leader answer: a node that does not lead, or cannot confirm it still leads, never serves a read); `with` names the reason as for expect put.",
        example: "expect get x == 1",
        keywords: ["via", "timeout", "none", "fails", "with"] + FailureReason.allCases.map(\.rawValue),
        category: .assertions)

    /// The read, as the `get` command writes it.
    public var read: GetCommand
    /// What the read should give.
    public var outcome: Outcome

    /// A `get` condition.
    public init(key: String, options: ClientOptions = ClientOptions(), outcome: Outcome) {
        read = GetCommand(key: key, options: options)
        self.outcome = outcome
    }

    /// Reads a `get` line, then `== VALUE|none` or `fails`, then more client options.
    public init(parsing p: inout LineParser) throws(ParseError) {
        read = try GetCommand(parsing: &p)
        if p.accept(word: "fails") {
            outcome = .fails(try p.parseFailureReason())
        } else {
            try p.expectEquals(or: "'fails'")
            outcome = .value(try p.parseExpectedValue())
        }
        read.options = try p.parseClientOptions(read.options)
    }

    /// `get x == 1`, `get x via 3 fails`.
    public var sourceText: String {
        switch outcome {
        case .value(let expected): read.sourceText + " == " + expected.sourceText
        case .fails(let reason): read.sourceText + " fails" + (reason.map { " with " + $0.sourceText } ?? "")
        }
    }

    /// The value expected, or the condition for `fails`.
    public var expectedText: String {
        if case .value(let expected) = outcome { return expected.sourceText }
        return sourceText
    }

    /// A read runs.
    public var runsOperations: Bool { true }

    /// The key.
    public var keys: [String] { read.keys }

    /// Runs the read; seen: `get x = 1`, `get failed: ...`, `get x answered 1`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        // Resolve `via` once (a `follower` picks once), and see whether it leads as the read goes.
        let via = try read.options.via.map { try x.resolveOne($0, for: "via") }
        let viaLed = via.flatMap { x.isLeading($0) }
        var options = read.options
        options.via = via.map { .ids([Int($0)]) }
        let r = try x.clientOp(read.operation, options)
        switch outcome {
        case .value(let expected):
            guard case .ok(.value(let v)) = r.outcome else {
                return (false, "get failed: \(r.failure ?? "no answer")")
            }
            return (expected.matches(v), "get \(read.key) = \(OperationText.value(v))")
        case .fails(let reason):
            if case .ok(.value(let v)) = r.outcome {
                return (false, "get \(read.key) answered \(OperationText.value(v))")
            }
            let seen = "get \(read.key) failed: \(r.failure ?? "no answer")"
            guard let reason else { return (true, seen) }
            let facts = try x.failureFacts(r, via: via, viaLed: viaLed)
            return (facts.matches(reason), seen + "; " + facts.quorumText)
        }
    }
}
