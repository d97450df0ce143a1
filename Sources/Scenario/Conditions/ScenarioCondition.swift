/// One form of condition, checked by `expect CONDITION` and waited for by
/// `wait until CONDITION [within DURATION]`. Like `ScenarioCommand`, the type carries its table
/// row, its parse, its canonical source and its evaluation.
///
/// Adding a condition is one new file in `Conditions/` with a type conforming to this protocol,
/// plus one line in `CommandRegistry.conditions`.
public protocol ScenarioCondition: Sendable, Hashable {
    /// The table row, named `expect WORD` (the form word is the condition's first word).
    static var spec: CommandSpec { get }

    /// Reads the condition after its first word.
    init(parsing parser: inout LineParser) throws(ParseError)

    /// The condition as written after `expect` or `wait until`.
    var sourceText: String { get }

    /// What an expectation wanted, for failure messages (the condition itself unless overridden).
    var expectedText: String { get }

    /// Whether evaluating runs client operations (and so cannot be checked inside the event loop:
    /// `wait until` polls it every 50ms of cluster time instead).
    var runsOperations: Bool { get }

    /// Whether evaluating writes (`put ... fails`): such a condition is checked once by `expect`,
    /// never polled by `wait until` (a write that fails may still take effect).
    var writes: Bool { get }

    /// The keys the condition reads or writes, for completion at the prompt.
    var keys: [String] { get }

    /// Checks the condition now: whether it holds, and what was seen (printed after `ok:`, or
    /// as `seen:` when an expectation fails).
    func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String)
}

extension ScenarioCondition {
    /// The condition as written.
    public var expectedText: String { sourceText }
    /// Conditions read the cluster's state unless they say otherwise.
    public var runsOperations: Bool { false }
    /// Conditions do not write unless they say so.
    public var writes: Bool { false }
    /// No keys.
    public var keys: [String] { [] }
}
