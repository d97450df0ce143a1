/// One command of the scenario language, in the manner of swift-argument-parser: the type carries
/// its table row (`specs`, read by the parser, `help`, completion and the docs), its parse
/// (`init(parsing:)`), its canonical source (`sourceText`) and what it does (`execute(in:)`).
///
/// Adding a command is one new file in `Commands/` with a type conforming to this protocol, plus
/// one line in `CommandRegistry.commands`.
public protocol ScenarioCommand: Sendable, Hashable {
    /// The table rows of the command: one for most commands, one per form for commands with
    /// several forms (`wait` and `wait until`, `workload start` and `workload stop`). Every row
    /// starts with the same command word.
    static var specs: [CommandSpec] { get }

    /// Reads the rest of the line after the command word; the parser then checks that nothing
    /// is left on the line. Errors point at the offending token with `file:line:col`.
    init(parsing parser: inout LineParser) throws(ParseError)

    /// The command as canonical source: parsing it gives the same command again. A command
    /// with a body (`repeat`) spans several lines, its body indented by two spaces.
    var sourceText: String { get }

    /// The keys the command reads or writes, for completion at the prompt.
    var keys: [String] { get }

    /// Whether `raftsh run` prints what the command prints without `--verbose`: a line written to
    /// be seen (`report`, `status`, `log`, `history`, `faults`, `echo`). Other answers are printed
    /// with `--verbose` only.
    static var printsInRuns: Bool { get }

    /// Carries the command out on the executor's cluster, printing through `x.output`; throws
    /// a `ScenarioFailure` (made with `x.failure`) or any error, which fails the line.
    func execute(in x: ExecutionContext) throws
}

extension ScenarioCommand {
    /// No keys.
    public var keys: [String] { [] }
    /// An answer, printed by `raftsh run` with `--verbose` only.
    public static var printsInRuns: Bool { false }
}
