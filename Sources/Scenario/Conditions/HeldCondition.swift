import ClusterModel

/// `held NODES -> NODES OP N`: the number of messages held on the links compares with N.
public struct HeldCondition: ScenarioCondition {
    /// The row of `expect held`.
    public static let spec = CommandSpec(
        name: "expect held",
        synopsis: "expect held NODES -> NODES OP N",
        summary: "The number of messages held on the links (by hold) compares with N.",
        example: "expect held 1 -> 2 >= 1",
        category: .assertions)

    /// The links.
    public var link: Link
    /// The comparison.
    public var op: ComparisonOperator
    /// The count compared with.
    public var count: Int

    /// A `held` condition.
    public init(link: Link, _ op: ComparisonOperator, _ count: Int) {
        self.link = link
        self.op = op
        self.count = count
    }

    /// Reads `NODES -> NODES OP N`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        link = try p.parseLink()
        op = try p.parseOperator(equalityOnly: false)
        count = try p.parseInteger("the count", in: 0...Int.max)
    }

    /// `held 1 -> 2 >= 1`.
    public var sourceText: String { "held \(link.sourceText) \(op.symbol) \(count)" }

    /// Counts the messages held on the links; seen: `2 held on 1 -> 2`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.messageControl("held")
        let links = try x.resolveLink(link).map { ClusterModel.Link($0.0, $0.1) }
        let n = c.heldMessages(on: links).count
        return (op.evaluate(n, count), "\(n) held on \(FaultText.links(links))")
    }
}
