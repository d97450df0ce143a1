/// `status`: a table of every node.
public struct StatusCommand: JSONFormCommand {
    /// The row of `status`.
    public static let specs = [
        CommandSpec(
            name: "status",
            synopsis: "status [--json]",
            summary: "Print a table: node, role, term, commit, applied, last index, state (up, down, paused), partition group, first log index, snapshot index (and each node's configuration when the nodes disagree); then the leader, the faults in force and the configuration when they agree. --json prints one JSON document instead (fields in docs/scenario-language.md).",
            example: "status",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// Whether to print JSON.
    public var json: Bool

    /// A line without `--json`.
    public init() { self.init(json: false) }

    /// A `status` line.
    public init(json: Bool) {
        self.json = json
    }

    /// Prints the status table (see `StatusTable`), or its JSON document.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.cluster()
        x.output(json ? StatusTable.json(c).description : StatusTable.render(c, color: x.options.color) + x.stamp())
    }
}
