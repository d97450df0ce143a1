/// `status`: a table of every node.
public struct StatusCommand: ScenarioCommand {
    /// The row of `status`.
    public static let specs = [
        CommandSpec(
            name: "status",
            synopsis: "status [--json]",
            summary: "Print a table: node, role, term, commit, applied, last index, state (up, down, paused), partition group; then the leader and the faults in force. --json prints one JSON document instead (fields in docs/scenario-language.md).",
            example: "status",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// Whether to print JSON.
    public var json: Bool

    /// A `status` line.
    public init(json: Bool = false) {
        self.json = json
    }

    /// Reads an optional `--json`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        json = p.acceptJSONFlag()
    }

    /// `status` or `status --json`.
    public var sourceText: String { json ? "status --json" : "status" }

    /// Prints the status table (see `StatusTable`), or its JSON document.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.cluster()
        x.output(json ? StatusTable.json(c).text : StatusTable.render(c, color: x.options.color) + x.stamp())
    }
}
