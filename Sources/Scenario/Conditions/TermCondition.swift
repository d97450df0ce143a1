import ClusterModel

/// `term OP N|$VAR`: the highest term among the nodes that are up compares with N.
public struct TermCondition: ScenarioCondition {
    /// The row of `expect term`.
    public static let spec = CommandSpec(
        name: "expect term",
        synopsis: "expect term OP N|$VAR",
        summary: "The highest term among the nodes that are up compares with N (OP is == != < <= > >=).",
        example: "expect term >= 2",
        category: .assertions)

    /// The comparison.
    public var op: ComparisonOperator
    /// What the term is compared with.
    public var operand: IntOperand

    /// A `term` condition.
    public init(_ op: ComparisonOperator, _ operand: IntOperand) {
        self.op = op
        self.operand = operand
    }

    /// Reads `OP N|$VAR`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        op = try p.parseOperator(equalityOnly: false)
        operand = try p.parseIntOperand()
    }

    /// `term >= 2`, `term > $T`.
    public var sourceText: String { "term \(op.symbol) \(operand.sourceText)" }

    /// Compares the term; seen: `term 2`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("term")
        let rhs = try x.value(of: operand)
        return (op.evaluate(Int(c.term), rhs), "term \(c.term)")
    }
}
