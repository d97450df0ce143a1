/// A command written as its name and an optional `--json` (`status`, `history`, `report`): the
/// protocol reads and prints it; the command gives its row and what it prints either way.
public protocol JSONFormCommand: ScenarioCommand {
    /// Whether the line says `--json`: one JSON document instead of the table.
    var json: Bool { get }
    /// The command, with or without `--json`.
    init(json: Bool)
}

extension JSONFormCommand {
    /// Reads an optional `--json`.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        self.init(json: parser.acceptJSONFlag())
    }

    /// `NAME` or `NAME --json`.
    public var sourceText: String { Self.specs[0].name + (json ? " --json" : "") }
}
