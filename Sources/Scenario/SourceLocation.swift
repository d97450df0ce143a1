/// A position in scenario source: file name, 1-based line and 1-based column.
///
/// Columns count Unicode scalars from the start of the line, so a caret printed
/// under the source line lines up for ordinary text.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file name as given to the parser (for example `scenarios/x.scn` or `<prompt>`).
    public var file: String
    /// The line number, starting at 1.
    public var line: Int
    /// The column number, starting at 1.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`.
    public var description: String { "\(file):\(line):\(column)" }

    /// Orders by line, then column (the file is not compared).
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
