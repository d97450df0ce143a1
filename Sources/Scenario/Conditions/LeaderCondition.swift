import ClusterModel

/// `leader`, `leader in NODES`, `leader == NODE`, `leader != NODE`: there is a leader (among
/// NODES; or equal to / different from NODE). A leader counts only when a quorum is up, running
/// and reachable from it.
public struct LeaderCondition: ScenarioCondition {
    /// The forms.
    public enum Form: Sendable, Hashable {
        /// `leader`.
        case any
        /// `leader in NODES`.
        case among(NodeSelector)
        /// `leader == NODE` or `leader != NODE` (only `.equal` and `.notEqual`).
        case compared(ComparisonOperator, NodeSelector)
    }

    /// The row of `expect leader`.
    public static let spec = CommandSpec(
        name: "expect leader",
        synopsis: "expect leader [in NODES | == NODE | != NODE]",
        summary: "There is a leader (among NODES; or equal to / different from NODE).",
        example: "expect leader in 3,4,5",
        keywords: ["in"],
        category: .assertions)

    /// Which form.
    public var form: Form

    /// A `leader` condition.
    public init(_ form: Form = .any) {
        self.form = form
    }

    /// Reads `[in NODES | == NODE | != NODE]`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        if p.accept(word: "in") {
            form = .among(try p.parseSelector("NODES after 'in'").selector)
        } else if let next = p.peek, case .compare = next.kind {
            let op = try p.parseOperator(equalityOnly: true)
            form = .compared(op, try p.parseSelector("NODE", single: true).selector)
        } else {
            p.trailing = ["'in'", "'=='", "'!='"]
            form = .any
        }
    }

    /// `leader`, `leader in 3,4,5`, `leader != $L`.
    public var sourceText: String {
        switch form {
        case .any: "leader"
        case .among(let nodes): "leader in " + nodes.sourceText
        case .compared(let op, let node): "leader \(op.symbol) \(node.sourceText)"
        }
    }

    /// Whether the leader is there (and where it should be); seen: `leader 4, term 1` or `no leader`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("leader")
        switch form {
        case .any:
            guard let l = c.leader else { return (false, "no leader") }
            return (true, "leader \(l), term \(c.term)")
        case .among(let sel):
            guard let l = c.leader else { return (false, "no leader") }
            return (try x.resolve(sel).contains(l), "leader \(l), term \(c.term)")
        case .compared(let op, let sel):
            let ids = try x.resolve(sel)
            guard let l = c.leader else { return (false, "no leader") }
            let seen = "leader \(l), term \(c.term)"
            switch op {
            case .equal: return (ids.contains(l), seen)
            case .notEqual: return (!ids.contains(l), seen)
            default: throw x.failure("leader can only be compared with == or !=")
            }
        }
    }
}
