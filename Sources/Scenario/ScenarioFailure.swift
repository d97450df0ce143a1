import Check
/// A scenario stopped at a statement: an expectation that did not hold, a line that could not be
/// carried out ("no leader"), or a broken safety invariant.
public struct ScenarioFailure: ScenarioError, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// What the line expected, when it is an expectation.
    public var expected: String?
    /// What was seen instead.
    public var seen: String?
    /// Virtual (or real) time of the failure, in nanoseconds; nil when time has nothing to do with
    /// it (a file that cannot be written).
    public var time: UInt64?
    /// The seed that reproduces the failure: set for simulated clusters only (a run over UDP is not
    /// reproduced by a seed, and a file error by nothing).
    public var seed: UInt64?

    public init(location: SourceLocation, message: String, expected: String? = nil, seen: String? = nil,
                time: UInt64?, seed: UInt64?) {
        self.location = location
        self.message = message
        self.expected = expected
        self.seen = seen
        self.time = time
        self.seed = seed
    }

    /// `file:line:col: error: …`, the source line with a caret (when given), what was expected and
    /// seen, then when (`at t=1.234s`) and, where it reproduces the run, the seed.
    public func render(source: String?) -> String {
        var out = "\(location): error: \(message)"
        if let source { out += "\n" + source + "\n" + Self.caretLine(under: location.column, in: source) }
        if let expected { out += "\nexpected: " + expected }
        if let seen { out += "\nseen:     " + seen }
        if let time { out += "\nat \(TimeFormat.instant(time))" + (seed.map { " with seed \($0)" } ?? "") }
        return out
    }

    public var description: String { render(source: nil) }
}
