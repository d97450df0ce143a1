import Check
import ClusterModel

/// `wait DURATION` (let time pass) and `wait until CONDITION [within DURATION]` (let time pass
/// until the condition holds; fail if it does not within the limit, never running past it).
public struct WaitCommand: ScenarioCommand {
    /// The two forms.
    public enum Form: Sendable, Hashable {
        /// `wait DURATION` (nanoseconds).
        case duration(UInt64)
        /// `wait until CONDITION [within DURATION]`; nil: the executor's limit.
        case until(Condition, within: UInt64?)
    }

    /// The rows of `wait` and `wait until`.
    public static let specs = [
        CommandSpec(
            name: "wait",
            synopsis: "wait DURATION",
            summary: "Advance time: virtual in simulation, real on udp.",
            example: "wait 2s",
            keywords: ["until"],
            category: .time),
        CommandSpec(
            name: "wait until",
            synopsis: "wait until CONDITION [within DURATION]",
            summary: "Advance time until CONDITION (any condition expect takes) holds; fail if it does not within the limit.",
            example: "wait until leader within 2s",
            keywords: ["within"] + CommandRegistry.conditionWords,
            category: .time),
    ]

    /// Which form, with its arguments.
    public var form: Form

    /// A `wait` line.
    public init(_ form: Form) {
        self.form = form
    }

    /// Reads `DURATION`, or `until CONDITION [within DURATION]`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        if p.accept(word: "until") {
            p.use(spec: "wait until")
            let condition = try Condition(parsing: &p)
            var within: UInt64?
            if p.accept(word: "within") {
                p.trailing = []
                within = try p.parseDuration("DURATION after 'within'", positive: true)
            } else {
                p.trailing.append("'within'")
            }
            form = .until(condition, within: within)
        } else {
            p.use(spec: "wait")
            if let token = p.peek, case .word(let other) = token.kind,
               let hint = Suggestions.closest(to: other, among: ["until"]) {
                throw p.failure("expected a duration or 'until', found '\(other)'; did you mean '\(hint)'?",
                                at: token.location, expected: "wait DURATION or wait until CONDITION [within DURATION]")
            }
            form = .duration(try p.parseDuration("DURATION"))
        }
    }

    /// `wait 2s`, `wait until leader within 2s`.
    public var sourceText: String {
        switch form {
        case .duration(let duration):
            "wait " + Literals.formatDuration(duration)
        case .until(let condition, let within):
            "wait until " + condition.sourceText + (within.map { " within " + Literals.formatDuration($0) } ?? "")
        }
    }

    /// The condition's keys.
    public var keys: [String] {
        if case .until(let condition, _) = form { return condition.keys }
        return []
    }

    /// Lets the time pass, or waits for the condition and prints what was seen and how long it took.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.cluster()
        let start = c.now
        switch form {
        case .duration(let d):
            c.wait(d)
            if c.takeInterrupted() {
                throw x.failure("interrupted after \(TimeFormat.duration(c.now - start)) of \(TimeFormat.duration(d))")
            }
            x.output("waited \(TimeFormat.duration(d))" + x.stamp())
        case .until(let cond, let within):
            let limit = within ?? x.options.waitLimit
            let ok = try Self.wait(for: cond, within: limit, x)
            if c.takeInterrupted() || x.executor.interruptCheck?() == true {
                throw x.failure("interrupted after \(TimeFormat.duration(c.now - start))")
            }
            if !ok {
                let (_, seen) = try cond.evaluate(in: x)
                throw x.failure("wait until \(cond.sourceText): not reached within \(TimeFormat.duration(limit))",
                                expected: cond.sourceText, seen: seen)
            }
            let (_, seen) = try cond.evaluate(in: x)
            x.output("\(seen), after \(TimeFormat.duration(c.now - start))" + x.stamp())
        }
    }

    /// Waits for `cond`: state conditions are checked after every step; conditions that run client
    /// operations are polled every 50ms of cluster time. False when the limit passes first (or an
    /// invariant breaks, or the wait is interrupted).
    static func wait(for cond: Condition, within limit: UInt64, _ x: ExecutionContext) throws -> Bool {
        let c = try x.cluster()
        let deadline = c.now + limit
        if !cond.runsOperations {
            var thrown: Error? = nil
            let ok = c.wait(until: {
                do { return try cond.evaluate(in: x).holds } catch { thrown = error; return true }
            }, within: limit)
            if let thrown { throw thrown }
            return ok && (c as? any InvariantChecking)?.violation == nil
        }
        while true {
            if try cond.evaluate(in: x).holds { return true }
            if c.now >= deadline || (c as? any InvariantChecking)?.violation != nil || x.executor.interruptCheck?() == true {
                return false
            }
            c.wait(min(50_000_000, deadline - c.now))
        }
    }
}
