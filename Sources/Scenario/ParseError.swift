/// A lexing or parsing error: where, what, and what was expected.
///
/// The parser stops at the first error (in source order) and throws it; it never
/// prints or exits. `render()` gives the compiler-style text:
///
/// ```
/// run.scn:3:1: error: unknown command 'pu'; did you mean 'put'?
/// pu x 1
/// ^
/// expected: a command; type 'help' for the list
/// ```
public struct ParseError: ScenarioError, Equatable, CustomStringConvertible {
    /// Where the error is.
    public var location: SourceLocation
    /// What went wrong, one line.
    public var message: String
    /// What was expected instead, when known.
    public var expected: String?
    /// The text of the source line the error is on (without its line terminator).
    public var sourceLine: String?

    /// Creates a parse error.
    public init(location: SourceLocation, message: String, expected: String? = nil, sourceLine: String? = nil) {
        self.location = location
        self.message = message
        self.expected = expected
        self.sourceLine = sourceLine
    }

    /// Renders with the stored source line (see `ScenarioError.render(sourceLine:)`).
    public func render() -> String { render(sourceLine: sourceLine) }

    /// Same as `render()`.
    public var description: String { render() }
}
