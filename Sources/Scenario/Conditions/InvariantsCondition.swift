import ClusterModel

/// `invariants`: the Raft safety invariants hold (on clusters that check them).
public struct InvariantsCondition: BareCondition {
    /// The row of `expect invariants`.
    public static let spec = CommandSpec(
        name: "expect invariants",
        synopsis: "expect invariants",
        summary: "The Raft safety invariants hold: one leader per term, log matching, leader completeness, state machine safety, no lost acknowledged write.",
        example: "expect invariants",
        category: .assertions)

    /// An `invariants` condition.
    public init() {}

    /// The first broken invariant, or `invariants hold`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.capability((any InvariantChecking).self, for: "expect invariants")
        if let v = c.violation { return (false, v.description) }
        return (true, "invariants hold")
    }
}
