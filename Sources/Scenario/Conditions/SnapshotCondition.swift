import ClusterModel

/// `snapshot NODES OP N|$VAR`: the index of the newest snapshot of each of NODES compares with N.
public struct SnapshotCondition: ScenarioCondition {
    /// The row of `expect snapshot`.
    public static let spec = CommandSpec(
        name: "expect snapshot",
        synopsis: "expect snapshot NODES OP N|$VAR",
        summary: "The index of the newest snapshot of each of NODES (0: none; a node that is down counts what it stored) compares with N (OP is == != < <= > >=).",
        example: "expect snapshot followers >= 100",
        category: .assertions)

    /// The nodes.
    public var nodes: NodeSelector
    /// The comparison.
    public var op: ComparisonOperator
    /// What each index is compared with.
    public var operand: IntOperand

    /// A `snapshot` condition.
    public init(_ nodes: NodeSelector, _ op: ComparisonOperator, _ operand: IntOperand) {
        self.nodes = nodes
        self.op = op
        self.operand = operand
    }

    /// Reads `NODES OP N|$VAR`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        nodes = try p.parseSelector("NODES").selector
        op = try p.parseOperator(equalityOnly: false)
        operand = try p.parseIntOperand()
    }

    /// `snapshot 1,2 >= 100`.
    public var sourceText: String { "snapshot \(nodes.sourceText) \(op.symbol) \(operand.sourceText)" }

    /// Compares each node's snapshot index; seen: `node 1: 120, node 2: 0`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.snapshotting("snapshot")
        let rhs = try x.value(of: operand)
        var seen: [String] = []
        var all = true
        for id in try x.resolve(nodes) {
            guard let index = c.status(of: id).snapshotIndex else {
                seen.append("node \(id): unknown")
                all = false
                continue
            }
            all = all && op.evaluate(Int(index), rhs)
            seen.append("node \(id): \(index)")
        }
        return (all, seen.joined(separator: ", "))
    }
}
