/// `expect CONDITION`: fail the scenario (with what was expected and what was seen) unless the
/// condition holds now. Its rows are the conditions' rows (`expect leader`, `expect get`, ...).
public struct ExpectCommand: ScenarioCommand {
    /// One row per condition, in `CommandRegistry.conditions` order.
    public static var specs: [CommandSpec] { CommandRegistry.conditions.map { $0.spec } }

    /// The condition checked.
    public var condition: Condition

    /// An `expect` line.
    public init(_ condition: Condition) {
        self.condition = condition
    }

    /// Reads the condition.
    public init(parsing p: inout LineParser) throws(ParseError) {
        condition = try Condition(parsing: &p)
    }

    /// `expect CONDITION`.
    public var sourceText: String { "expect " + condition.sourceText }

    /// The condition's keys.
    public var keys: [String] { condition.keys }

    /// Evaluates the condition; prints `ok:` and what was seen, or fails.
    public func execute(in x: ExecutionContext) throws {
        _ = try x.cluster()
        let (ok, seen) = try condition.evaluate(in: x)
        if !ok {
            throw x.failure("expectation failed: expect \(condition.sourceText)", expected: condition.expectedText, seen: seen)
        }
        x.output("ok: \(seen)" + x.stamp())
    }
}
