import ClusterModel

/// `converged`: every node that is up has the same log and has applied all of it.
public struct ConvergedCondition: BareCondition {
    /// The row of `expect converged`.
    public static let spec = CommandSpec(
        name: "expect converged",
        synopsis: "expect converged",
        summary: "Every node that is up has the same log and has applied all of it.",
        example: "expect converged",
        category: .assertions)

    /// A `converged` condition.
    public init() {}

    /// Whether the cluster converged; seen: the leader, or each node's role, term and indexes.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.inspection("converged")
        if c.isConverged { return (true, "converged: leader \(c.leader!), term \(c.term)") }
        let parts = c.nodeIDs.map { id -> String in
            let st = c.status(of: id)
            return st.state == .down ? "\(id):down" : "\(id):\(st.role?.rawValue ?? "-") t\(st.term) c\(st.commit) a\(st.applied) l\(st.lastIndex)"
        }
        return (false, "not converged (" + parts.joined(separator: ", ") + ")")
    }
}
