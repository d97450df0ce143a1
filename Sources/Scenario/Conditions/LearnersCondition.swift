import ClusterModel
import RaftCore

/// `learners OP IDS|none`: the learners of the configuration in force at the leader.
public struct LearnersCondition: ScenarioCondition {
    /// The row of `expect learners`.
    public static let spec = CommandSpec(
        name: "expect learners",
        synopsis: "expect learners ==|!= IDS|none",
        summary: "The learners (non-voting members) of the configuration in force at the leader are exactly IDS, or none, and that configuration is committed; fails with no leader.",
        example: "expect learners == 5",
        category: .assertions)

    /// Whether the list must match (`==`) or differ (`!=`).
    public var equal: Bool
    /// The ids, ascending (empty: none).
    public var ids: [Int]

    /// A `learners` condition.
    public init(equal: Bool = true, _ ids: [Int]) {
        self.equal = equal
        self.ids = ids.sorted()
    }

    /// Reads `==|!= IDS|none`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        (equal, ids) = try MembersCondition.parseList(&p, allowNone: true)
    }

    /// `learners == 6`, `learners == none`.
    public var sourceText: String {
        "learners \(equal ? "==" : "!=") " + (ids.isEmpty ? "none" : ids.map(String.init).joined(separator: ","))
    }

    /// Compares with the leader's learners.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        try MembersCondition.evaluate(in: x, what: "learners") { m in (m.learners, ids, equal) }
    }
}
