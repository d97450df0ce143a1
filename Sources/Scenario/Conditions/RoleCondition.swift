import RaftCore
import ClusterModel

/// `role NODES ==|!= ROLE`: each of the nodes has (or has not) the role.
public struct RoleCondition: ScenarioCondition {
    /// The row of `expect role`.
    public static let spec = CommandSpec(
        name: "expect role",
        synopsis: "expect role NODES ==|!= ROLE",
        summary: "Each of NODES has (or has not) ROLE: follower, precandidate, candidate or leader. A node that is down fails both; a paused node has no role while frozen.",
        example: "expect role 3 == follower",
        keywords: NodeRole.allCases.map(\.rawValue),
        category: .assertions)

    /// The nodes.
    public var nodes: NodeSelector
    /// `.equal` or `.notEqual`.
    public var op: ComparisonOperator
    /// The role.
    public var role: NodeRole

    /// A `role` condition.
    public init(_ nodes: NodeSelector, _ op: ComparisonOperator, _ role: NodeRole) {
        self.nodes = nodes
        self.op = op
        self.role = role
    }

    /// Reads `NODES ==|!= ROLE`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        nodes = try p.parseSelector("NODES").selector
        op = try p.parseOperator(equalityOnly: true)
        role = try p.parseRole()
    }

    /// `role 3 == follower`.
    public var sourceText: String { "role \(nodes.sourceText) \(op.symbol) \(role.rawValue)" }

    /// Whether every node (none down) has, or has not, the role; a paused node has none (so
    /// `!= leader` holds for it, `== leader` does not); seen: `node 3 is follower, ...`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("role")
        var seen: [String] = []
        var all = true
        for id in try x.resolve(nodes) {
            let st = c.status(of: id)
            guard st.state != .down, let r = st.role else {
                seen.append("node \(id) is down")
                all = false
                continue
            }
            let name = NodeRole(r)
            // A paused node plays no role: it is never the leader (nor anything else) while frozen.
            let same = st.state == .up && name == role
            seen.append(st.state == .paused ? "node \(id) is paused (frozen as \(name.rawValue))" : "node \(id) is \(name.rawValue)")
            switch op {
            case .equal: all = all && same
            case .notEqual: all = all && !same
            default: throw x.failure("role can only be compared with == or !=")
            }
        }
        return (all, seen.joined(separator: ", "))
    }
}

extension LineParser {
    /// A role: follower, precandidate, candidate or leader.
    fileprivate mutating func parseRole() throws(ParseError) -> NodeRole {
        let roles = NodeRole.allCases.map(\.rawValue)
        let expected = "a role: " + roles.joined(separator: ", ")
        let token = try require("ROLE", expected: expected)
        guard case .word(let word) = token.kind, let role = NodeRole(rawValue: word) else {
            let hint = if case .word(let word) = token.kind { Suggestions.hint(for: word, among: roles) } else { "" }
            throw failure("unknown role \(Self.describe(token))" + hint, at: token.location, expected: expected)
        }
        return role
    }
}

extension NodeRole {
    /// The role as the language names it.
    init(_ r: Role) {
        switch r {
        case .follower: self = .follower
        case .preCandidate: self = .precandidate
        case .candidate: self = .candidate
        case .leader: self = .leader
        }
    }
}
