/// A command written as its name alone (`heal`, `status`, `report`): the protocol reads and
/// prints it; the command gives its row and what it does.
public protocol BareCommand: ScenarioCommand {
    /// The command.
    init()
}

extension BareCommand {
    /// Nothing to read after the name.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        self.init()
    }

    /// The name.
    public var sourceText: String { Self.specs[0].name }
}
