/// `status`: a table of every node.
public struct StatusCommand: BareCommand {
    /// The row of `status`.
    public static let specs = [
        CommandSpec(
            name: "status",
            synopsis: "status",
            summary: "Print a table: node, role, term, commit, applied, last index, up/down, partition group.",
            example: "status",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// A `status` line.
    public init() {}

    /// Prints the status table (see `StatusTable`).
    public func execute(in x: ExecutionContext) throws {
        x.output(StatusTable.render(try x.cluster(), color: x.options.color) + x.stamp())
    }
}
