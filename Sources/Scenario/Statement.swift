/// One command of a scenario, with where it starts.
public struct Statement: Sendable, Hashable {
    /// The location of the command word.
    public var location: SourceLocation
    /// What the command is.
    public var kind: StatementKind

    /// Creates a statement.
    public init(location: SourceLocation, kind: StatementKind) {
        self.location = location
        self.kind = kind
    }

    /// The same statement with every location (here and in nested blocks) set
    /// to `file:0:0`, for comparing statements by meaning.
    public func strippingLocations() -> Statement {
        var copy = self
        copy.location = SourceLocation(file: "", line: 0, column: 0)
        if case .repeatBlock(let count, let body) = kind {
            copy.kind = .repeatBlock(count: count, body: body.map { $0.strippingLocations() })
        }
        return copy
    }
}

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
}
