/// `unanswered OP N`: the number of client requests of the workload never answered.
public struct UnansweredCondition: ScenarioCondition {
    /// The row of `expect unanswered`.
    public static let spec = CommandSpec(
        name: "expect unanswered",
        synopsis: "expect unanswered OP N",
        summary: "The number of client requests that never got an answer compares with N.",
        example: "expect unanswered == 0",
        category: .assertions)

    /// The comparison.
    public var op: ComparisonOperator
    /// The count compared with.
    public var count: Int

    /// An `unanswered` condition.
    public init(_ op: ComparisonOperator, _ count: Int) {
        self.op = op
        self.count = count
    }

    /// Reads `OP N`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        op = try p.parseOperator(equalityOnly: false)
        count = try p.parseInteger("the count", in: 0...Int.max)
    }

    /// `unanswered == 0`.
    public var sourceText: String { "unanswered \(op.symbol) \(count)" }

    /// Counts the requests in flight (while the workload runs) or never answered; seen: `2 unanswered`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        guard let w = try x.cluster().workload else { throw x.failure("no workload has run") }
        let unanswered = w.running ? w.inFlight : w.unanswered.count
        return (op.evaluate(unanswered, count), "\(unanswered) unanswered")
    }
}
