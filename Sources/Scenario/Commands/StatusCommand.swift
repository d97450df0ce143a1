/// `status`: a table of every node.
public struct StatusCommand: BareCommand {
    /// The row of `status`.
    public static let specs = [
        CommandSpec(
            name: "status",
            synopsis: "status",
            summary: "Print a table: node, role, term, commit, applied, last index, up/down, partition group, first log index, snapshot index.",
            example: "status",
            category: .inspection),
    ]

    /// A `status` line.
    public init() {}

    /// Prints the status table (see `StatusTable`).
    public func execute(in x: ExecutionContext) throws {
        x.output(StatusTable.render(try x.cluster(), color: x.options.color) + x.stamp())
    }
}
