/// A parsed scenario: its statements in order (blocks nest).
public struct Script: Sendable, Hashable {
    /// Top-level statements.
    public var statements: [Statement]

    /// Creates a script.
    public init(statements: [Statement]) {
        self.statements = statements
    }

    /// The same script with every location stripped (see `Statement.strippingLocations()`).
    public func strippingLocations() -> Script {
        Script(statements: statements.map { $0.strippingLocations() })
    }

    /// The whole script as canonical source, one statement per line, ending with a newline.
    public var sourceText: String {
        statements.map(\.sourceText).map { $0 + "\n" }.joined()
    }
}
