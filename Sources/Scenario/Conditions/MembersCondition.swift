import ClusterModel
import RaftCore

/// `members OP IDS` and `learners OP IDS|none`: the voters (or learners) of the configuration in
/// force at the leader.
public struct MembersCondition: ScenarioCondition {
    /// The row of `expect members`.
    public static let spec = CommandSpec(
        name: "expect members",
        synopsis: "expect members ==|!= IDS",
        summary: "The voters of the leader's configuration are exactly IDS (e.g. 1,2,3,4), and that configuration is committed (while a change is pending the condition does not hold); fails with no leader.",
        example: "expect members == 1,2,3,4",
        category: .assertions)

    /// Whether the list must match (`==`) or differ (`!=`).
    public var equal: Bool
    /// The ids, ascending.
    public var ids: [Int]

    /// A `members` condition.
    public init(equal: Bool = true, _ ids: [Int]) {
        self.equal = equal
        self.ids = ids.sorted()
    }

    /// Reads `==|!= IDS`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        (equal, ids) = try Self.parseList(&p, allowNone: false)
    }

    /// Reads `==|!= IDS` (or `none` when `allowNone`).
    static func parseList(_ p: inout LineParser, allowNone: Bool) throws(ParseError) -> (Bool, [Int]) {
        let op = try p.parseOperator(equalityOnly: true)
        if allowNone, p.accept(word: "none") { return (op == .equal, []) }
        let sel = try p.parseSelector("IDS")
        guard case .ids(let ids) = sel.selector else {
            throw p.failure("expected node ids such as 1,2,3" + (allowNone ? " or none" : ""), at: sel.location,
                            expected: "node ids")
        }
        return (op == .equal, ids.sorted())
    }

    /// `members == 1,2,3`.
    public var sourceText: String { "members \(equal ? "==" : "!=") " + ids.map(String.init).joined(separator: ",") }

    /// Compares with the leader's voters; seen: `members 1,2,3 (learners 6) at leader 1`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        try Self.evaluate(in: x, what: "members") { m in (m.voters, ids, equal) }
    }

    static func evaluate(in x: ExecutionContext, what: String,
                         _ pick: (Membership) -> ([NodeID], [Int], Bool)) throws -> (holds: Bool, seen: String) {
        let c = try x.capability((any MembershipControl).self, for: "expect \(what)")
        guard let l = Leadership.leader(among: c.nodeIDs.map(c.status(of:))), let m = c.membership(of: l) else {
            return (false, "no leader")
        }
        let (have, want, equal) = pick(m)
        let pending = c.changePending(at: l)
        let same = have == want.map { NodeID($0) } && !pending
        let list = have.isEmpty ? "none" : have.map(String.init).joined(separator: ",")
        return (same == equal, "\(what) \(list) at leader \(l) (\(m)\(pending ? ", not committed yet" : ""))")
    }
}
