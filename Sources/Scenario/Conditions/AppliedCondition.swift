import ClusterModel

/// `applied KEY == VALUE|none on NODES`: each of the nodes has applied this to its state machine.
public struct AppliedCondition: ScenarioCondition {
    /// The row of `expect applied`.
    public static let spec = CommandSpec(
        name: "expect applied",
        synopsis: "expect applied KEY (== VALUE | == none) on NODES",
        summary: "Each of NODES has applied KEY = VALUE to its state machine (or has no value for KEY).",
        example: "expect applied x == 1 on 1,2,3",
        keywords: ["none", "on"],
        category: .assertions)

    /// The key.
    public var key: String
    /// The value expected, or `none`.
    public var expected: ExpectedValue
    /// The nodes.
    public var nodes: NodeSelector

    /// An `applied` condition.
    public init(key: String, equals expected: ExpectedValue, on nodes: NodeSelector) {
        self.key = key
        self.expected = expected
        self.nodes = nodes
    }

    /// Reads `KEY == VALUE|none on NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        key = try p.parseKey()
        try p.expectEquals()
        expected = try p.parseExpectedValue()
        try p.expect(word: "on")
        nodes = try p.parseSelector("NODES after 'on'").selector
    }

    /// `applied x == 1 on 1,2,3`.
    public var sourceText: String { "applied \(key) == \(expected.sourceText) on \(nodes.sourceText)" }

    /// The value expected.
    public var expectedText: String { expected.sourceText }

    /// The key.
    public var keys: [String] { [key] }

    /// Reads each node's state machine; seen: `node 1: 2, node 2 is down`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("applied")
        var seen: [String] = []
        var all = true
        for id in try x.resolve(nodes) {
            guard let v = c.appliedValue(key, on: id) else {
                seen.append("node \(id) is down")
                all = false
                continue
            }
            all = all && expected.matches(v)
            seen.append("node \(id): \(OperationText.value(v))")
        }
        return (all, seen.joined(separator: ", "))
    }
}
