/// A condition written as its word alone (`converged`, `linearizable`, `invariants`): the
/// protocol reads and prints it; the condition gives its row and its evaluation.
public protocol BareCondition: ScenarioCondition {
    /// The condition.
    init()
}

extension BareCondition {
    /// Nothing to read after the word.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        self.init()
    }

    /// The word.
    public var sourceText: String { Self.spec.formWord ?? Self.spec.name }
}
