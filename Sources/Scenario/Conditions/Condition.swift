/// A condition of any form (see `ScenarioCondition`), as `expect` and `wait until` hold it:
/// compared and hashed by value.
public struct Condition: Sendable, Hashable {
    /// The condition.
    public let base: any ScenarioCondition

    /// Wraps a condition.
    public init(_ base: any ScenarioCondition) {
        self.base = base
    }

    /// What a condition may start with, for messages.
    static var expected: String {
        "a condition: " + CommandTable.conditionWords.joined(separator: ", ")
    }

    /// Parses a condition (after `expect` or `wait until`): its first word picks the form.
    init(parsing p: inout LineParser) throws(ParseError) {
        let token = try p.require("CONDITION", expected: Self.expected)
        guard case .word(let word) = token.kind, let type = CommandRegistry.condition(for: word) else {
            let hint = if case .word(let word) = token.kind {
                Suggestions.hint(for: word, among: CommandTable.conditionWords)
            } else { "" }
            throw p.failure("unknown condition \(LineParser.describe(token))" + hint, at: token.location, expected: Self.expected)
        }
        // Only a row named `expect WORD` narrows the synopsis (so not `expect no leader`, as before).
        let spec = type.spec
        if spec.name == "expect " + word {
            p.synopsis = p.command == "wait"
                ? "wait until " + spec.synopsis.dropFirst("expect ".count) + " [within DURATION]"
                : spec.synopsis
        }
        base = try type.init(parsing: &p)
    }


    /// The condition as written after `expect` or `wait until`.
    public var sourceText: String { base.sourceText }

    /// What an expectation wanted, for failure messages.
    public var expectedText: String { base.expectedText }

    /// Whether evaluating runs client operations.
    public var runsOperations: Bool { base.runsOperations }

    /// Whether evaluating writes (see `ScenarioCondition.writes`).
    public var writes: Bool { base.writes }

    /// The keys the condition reads or writes.
    public var keys: [String] { base.keys }

    /// Checks the condition now (see `ScenarioCondition.evaluate(in:)`).
    func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        try base.evaluate(in: x)
    }

    public static func == (lhs: Condition, rhs: Condition) -> Bool {
        AnyHashable(lhs.base) == AnyHashable(rhs.base)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(AnyHashable(base))
    }
}
