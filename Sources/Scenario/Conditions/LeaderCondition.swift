import ClusterModel

/// `leader`, `leader in NODES`, `leader == NODE`, `leader != NODE`: there is a leader (among
/// NODES; or equal to / different from NODE). A leader counts only when it is the leader of the
/// highest term among the nodes up and running and a quorum is up, running and reachable from it.
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
        summary: "There is a leader that counts (among NODES; or equal to / different from NODE): the leader of the highest term among the nodes up and running, when it reaches a quorum (itself and enough nodes up, running and connected to it both ways). Paused nodes never lead.",
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

    /// Whether a leader that counts is there (and where it should be): the leader of the highest
    /// term among the nodes up and running, when it reaches a quorum (`Leadership`); seen:
    /// `leader 4, term 1`, `no leader`, or why the leader there does not count.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("leader")
        switch form {
        case .any:
            let seen = LeaderText.seen(c)
            return (seen.counted != nil, seen.text)
        case .among(let sel):
            let ids = try x.resolve(sel)
            let seen = LeaderText.seen(c)
            guard let l = seen.counted else { return (false, seen.text) }
            return (ids.contains(l), seen.text)
        case .compared(let op, let sel):
            let id = try x.resolveOne(sel, for: "leader \(op.symbol) NODE")
            let seen = LeaderText.seen(c)
            guard let l = seen.counted else { return (false, seen.text) }
            switch op {
            case .equal: return (l == id, seen.text)
            case .notEqual: return (l != id, seen.text)
            default: throw x.failure("leader can only be compared with == or !=")
            }
        }
    }
}
