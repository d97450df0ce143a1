/// `trace on|off`: print (or stop printing) every message and state change.
public struct TraceCommand: ScenarioCommand {
    /// The row of `trace`.
    public static let specs = [
        CommandSpec(
            name: "trace",
            synopsis: "trace on|off",
            summary: "Print (or stop printing) every message and state change as it happens.",
            example: "trace on",
            keywords: ["on", "off"],
            category: .inspection),
    ]

    /// Whether tracing is turned on.
    public var on: Bool

    /// A `trace` line.
    public init(on: Bool) {
        self.on = on
    }

    /// Reads `on` or `off`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        let token = try p.require("'on' or 'off'")
        switch token.kind {
        case .word("on"): on = true
        case .word("off"): on = false
        default:
            throw p.failure("expected 'on' or 'off', found \(LineParser.describe(token))", at: token.location, expected: p.synopsis)
        }
    }

    /// `trace on` or `trace off`.
    public var sourceText: String { on ? "trace on" : "trace off" }

    /// Turns tracing on or off, for this cluster and the ones later lines make.
    public func execute(in x: ExecutionContext) throws {
        let executor = x.executor
        executor.traceOn = on
        executor.cluster?.trace = on ? executor.output : nil
        x.output("trace \(on ? "on" : "off")")
    }
}
