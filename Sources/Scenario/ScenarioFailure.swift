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
    /// Virtual (or real) time of the failure, in nanoseconds.
    public var time: UInt64
    public var seed: UInt64

    public init(location: SourceLocation, message: String, expected: String? = nil, seen: String? = nil,
                time: UInt64, seed: UInt64) {
        self.location = location
        self.message = message
        self.expected = expected
        self.seen = seen
        self.time = time
        self.seed = seed
    }

    /// `file:line:col: error: …`, the source line with a caret, expected / seen, time and seed.
    public func render(source: String?) -> String {
        var out = render(sourceLine: source)
        if let seen { out += "\nseen:     " + seen }
        out += "\nat \(TimeFormat.instant(time)) with seed \(seed)"
        return out
    }

    public var description: String { render(source: nil) }
}
