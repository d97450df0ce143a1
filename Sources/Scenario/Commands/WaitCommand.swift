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
            summary: "Advance time until CONDITION (any condition expect takes) holds; fail if it does not within DURATION (default " + Literals.formatDuration(ExecutorOptions.defaultWaitLimit) + "). It never runs past it: conditions that read are polled every 50ms, each read bounded by the time left; conditions that write are refused.",
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

    /// Reads `DURATION`, or `until CONDITION [within DURATION]`. A condition that writes
    /// (`put ... fails`) is refused: every poll would write again, and a write may take effect.
    public init(parsing p: inout LineParser) throws(ParseError) {
        if p.accept(word: "until") {
            p.use(spec: "wait until")
            let start = p.peek?.location ?? p.missingLocation
            let condition = try Condition(parsing: &p)
            if condition.writes {
                throw p.failure("'wait until \(condition.base.sourceText.split(separator: " ").first ?? "") ... fails' would write again at every poll, and a write that fails may still take effect",
                                at: start, expected: "expect \(condition.sourceText) (one write, checked once)")
            }
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
            x.passTime(d)
            if c.takeInterrupted() {
                throw x.failure("interrupted after \(TimeFormat.duration(c.now - start)) of \(TimeFormat.duration(d))")
            }
            x.output("waited \(TimeFormat.duration(d))" + x.stamp())
        case .until(let cond, let within):
            let limit = within ?? x.options.waitLimit
            let (ok, seen) = try Self.wait(for: cond, within: limit, x)
            if c.takeInterrupted() || x.executor.interruptCheck?() == true {
                throw x.failure("interrupted after \(TimeFormat.duration(c.now - start))")
            }
            if !ok {
                let limitText = TimeFormat.duration(limit) + (within == nil ? " (the default; write `within DURATION`)" : "")
                throw x.failure("wait until \(cond.sourceText): not reached within \(limitText)",
                                expected: cond.sourceText, seen: seen)
            }
            x.output("\(seen), after \(TimeFormat.duration(c.now - start))" + x.stamp())
        }
    }

    /// Waits for `cond`, never past `limit`: state conditions are checked after every step;
    /// conditions that run client operations are polled every 50ms of cluster time, each poll's
    /// operations bounded by the time left. Returns whether it held (false when the limit passes
    /// first, an invariant breaks or the wait is interrupted) and what the last check saw; nothing
    /// runs after the check that held.
    static func wait(for cond: Condition, within limit: UInt64, _ x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.cluster()
        let deadline = c.now + limit
        var bounded = x
        bounded.deadline = deadline
        let broken = { (c as? any InvariantChecking)?.violation != nil }
        if !cond.runsOperations {
            var thrown: Error? = nil
            var last = (holds: false, seen: "")
            let start = c.now
            let ok = c.wait(until: {
                do {
                    last = try cond.evaluate(in: bounded)
                    return last.holds
                } catch {
                    thrown = error
                    return true
                }
            }, within: limit)
            x.recordTimePassed(c.now - start)
            if let thrown { throw thrown }
            return (ok && last.holds && !broken(), last.seen)
        }
        while true {
            let r = try cond.evaluate(in: bounded)
            if r.holds { return r }
            if c.now >= deadline || broken() || x.executor.interruptCheck?() == true { return (false, r.seen) }
            x.passTime(min(50_000_000, deadline - c.now))
            if c.now >= deadline { return (false, r.seen) }
        }
    }
}
