import Check

/// `linearizable`: the whole client history so far is linearizable.
public struct LinearizableCondition: BareCondition {
    /// The row of `expect linearizable`.
    public static let spec = CommandSpec(
        name: "expect linearizable",
        synopsis: "expect linearizable",
        summary: "The whole client history so far is linearizable.",
        example: "expect linearizable",
        category: .assertions)

    /// A `linearizable` condition.
    public init() {}

    /// Checking needs the history complete: `wait until` polls it between steps.
    public var runsOperations: Bool { true }

    /// Checks the history; seen: the count of operations, or the operations of the key that fails.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let h = try x.cluster().history
        switch LinearizabilityChecker().check(h) {
        case .linearizable:
            return (true, "linearizable (\(h.operations.count) operations)")
        case .violation(let key, let ops):
            return (false, "not linearizable on key \(key):\n" + Check.describe(ops))
        case .tooComplex(let key):
            return (false, "history of key \(key) too complex to check")
        }
    }
}
