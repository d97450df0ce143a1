/// `save FILE`: write the session's commands as a runnable scenario (at the prompt only).
public struct SaveCommand: ScenarioCommand {
    /// The row of `save`.
    public static let specs = [
        CommandSpec(
            name: "save",
            synopsis: "save FILE",
            summary: "Write the commands of this session to FILE as a runnable scenario (at the prompt only).",
            example: "save session.scn",
            category: .inspection),
    ]

    /// The file to write.
    public var file: String

    /// A `save` line.
    public init(file: String) {
        self.file = file
    }

    /// Reads the file name, bare or quoted.
    public init(parsing p: inout LineParser) throws(ParseError) {
        file = try p.parseFileName()
    }

    /// `save FILE`.
    public var sourceText: String { "save " + Literals.quoteIfNeeded(file) }

    /// Hands the file to the executor's save handler (the shell's); refused elsewhere.
    public func execute(in x: ExecutionContext) throws {
        guard x.options.allowSave, let saveHandler = x.executor.saveHandler else {
            throw x.failure("`save` works at the prompt only")
        }
        do {
            x.output(try saveHandler(file))
        } catch {
            throw x.plainFailure("\(error)")
        }
    }
}
