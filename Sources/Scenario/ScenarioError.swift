/// An error that points at a place in scenario source.
///
/// `ParseError` is one; the executor's failures (a failed `expect`, "no leader")
/// can conform too, so that every error renders the same way:
///
/// ```
/// file:line:col: error: MESSAGE
/// the source line
///         ^ expected: WHAT WAS EXPECTED
/// ```
public protocol ScenarioError: Error, Sendable {
    /// Where the error is.
    var location: SourceLocation { get }
    /// What went wrong, one line.
    var message: String { get }
    /// What was expected instead, when known.
    var expected: String? { get }
}

extension ScenarioError {
    /// Renders the error short: `file:line:col: error: MESSAGE`, then (when `sourceLine` is
    /// given) the source line and a caret under the column followed by `expected: ...` when known
    /// (on a line of its own without a source line). No trailing newline.
    ///
    /// The caret line is spaces, except that a tab in the source before the
    /// column is copied as a tab so the caret still lines up.
    public func render(sourceLine: String?) -> String {
        var out = "\(location): error: \(message)"
        if let sourceLine {
            out += "\n" + sourceLine + "\n" + Self.caretLine(under: location.column, in: sourceLine)
            if let expected { out += " expected: " + expected }
        } else if let expected {
            out += "\nexpected: " + expected
        }
        return out
    }

    static func caretLine(under column: Int, in line: String) -> String {
        var prefix = String.UnicodeScalarView()
        var index = 1
        for scalar in line.unicodeScalars {
            if index >= column { break }
            prefix.append(scalar == "\t" ? "\t" : " ")
            index += 1
        }
        var result = String(prefix)
        if index < column {
            result += String(repeating: " ", count: column - index)
        }
        return result + "^"
    }
}
