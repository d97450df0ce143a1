import Check
import ClusterModel

/// `step [N]`: advance the simulation by N visible events (one by default), printing each.
public struct StepCommand: ScenarioCommand {
    /// The row of `step`.
    public static let specs = [
        CommandSpec(
            name: "step",
            synopsis: "step [N]",
            summary: "Advance by N events (default 1) that can be seen — a message delivered or held, a reply, a role change — and print what happened; ticks that only send are skipped. Gives up after 10s of time with nothing to see.",
            example: "step 5",
            category: .messages),
    ]

    /// How many events.
    public var count: Int

    /// A `step` line.
    public init(count: Int = 1) {
        self.count = count
    }

    /// Reads an optional count.
    public init(parsing p: inout LineParser) throws(ParseError) {
        count = p.atEnd ? 1 : try p.parseInteger("the number of steps", in: 1...100_000)
    }

    /// `step` or `step N`.
    public var sourceText: String { count == 1 ? "step" : "step \(count)" }

    /// How long a step may wait for something to happen.
    static let limit: UInt64 = 10_000_000_000

    /// Runs the events and prints their trace lines.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.capability((any Stepping).self, for: "step")
        var lines: [String] = []
        for _ in 0..<count {
            let seen = c.step(within: Self.limit)
            if seen.isEmpty {
                lines.append("nothing happened within \(TimeFormat.duration(Self.limit))")
                break
            }
            lines += seen
            if (c as? any InvariantChecking)?.violation != nil { break }
        }
        x.output(lines.joined(separator: "\n"))
    }
}
