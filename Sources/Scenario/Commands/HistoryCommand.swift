import Check

/// `history`: the client history.
public struct HistoryCommand: BareCommand {
    /// The row of `history`.
    public static let specs = [
        CommandSpec(
            name: "history",
            synopsis: "history",
            summary: "Print the client history: each request's invocation, response and times.",
            example: "history",
            category: .inspection),
    ]

    /// A `history` line.
    public init() {}

    /// Prints every client operation so far.
    public func execute(in x: ExecutionContext) throws {
        let ops = try x.cluster().history.operations
        x.output(ops.isEmpty ? "no operations yet" : Check.describe(ops))
    }
}
