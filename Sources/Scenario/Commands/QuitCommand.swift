/// `quit` (or `exit`, or Ctrl-D): leave the shell. At the prompt only: a scenario file ends at its
/// last line.
public struct QuitCommand: BareCommand {
    /// The row of `quit`.
    public static let specs = [
        CommandSpec(
            name: "quit",
            synopsis: "quit",
            summary: "Leave the shell (also exit, or Ctrl-D on an empty line); at the prompt only: a scenario file ends at its last line.",
            example: "quit",
            category: .inspection),
    ]

    /// A `quit` line.
    public init() {}

    /// The shell handles `quit` before it runs anything; anywhere else it is refused.
    public func execute(in x: ExecutionContext) throws {
        throw x.failure("`quit` works at the prompt only: a scenario ends at its last line")
    }
}
