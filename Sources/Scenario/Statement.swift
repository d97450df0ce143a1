/// One command of a scenario, with where it starts.
public struct Statement: Sendable, Hashable {
    /// The location of the command word.
    public var location: SourceLocation
    /// What the command is.
    public var command: any ScenarioCommand

    /// Creates a statement.
    public init(location: SourceLocation, command: any ScenarioCommand) {
        self.location = location
        self.command = command
    }

    /// The same statement with every location (here and in nested blocks) set
    /// to `file:0:0`, for comparing statements by meaning.
    public func strippingLocations() -> Statement {
        var copy = self
        copy.location = SourceLocation(file: "", line: 0, column: 0)
        if var nesting = command as? any NestingCommand {
            nesting.body = nesting.body.map { $0.strippingLocations() }
            copy.command = nesting
        }
        return copy
    }

    /// The statement as canonical source (see `ScenarioCommand.sourceText`).
    public var sourceText: String { command.sourceText }

    public static func == (lhs: Statement, rhs: Statement) -> Bool {
        lhs.location == rhs.location && AnyHashable(lhs.command) == AnyHashable(rhs.command)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(location)
        hasher.combine(AnyHashable(command))
    }
}
