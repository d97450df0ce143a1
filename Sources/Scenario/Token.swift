/// One token of scenario source, with its raw text and where it starts.
public struct Token: Sendable, Hashable {
    /// What the token is.
    public var kind: TokenKind
    /// The token exactly as written (a string token includes its quotes).
    public var text: String
    /// Where the token starts.
    public var location: SourceLocation
    /// Length in Unicode scalars.
    public var length: Int

    /// Creates a token.
    public init(kind: TokenKind, text: String, location: SourceLocation, length: Int) {
        self.kind = kind
        self.text = text
        self.location = location
        self.length = length
    }

    /// The column just after the token.
    public var endColumn: Int { location.column + length }
}

/// The kinds of token.
///
/// A run of plain characters is classified by its shape: `42` is an integer,
/// `0.8` a decimal, `150ms` a duration, `30%` a percentage, `1..3` and
/// `150ms..300ms` ranges; anything else (`x`, `user:1`, `2x`) is a word. The
/// parser decides from context what it needs, and uses `Token.text` when it
/// wants the raw word (a key or a value).
public enum TokenKind: Sendable, Hashable {
    /// A plain word: a command, keyword, key or value.
    case word(String)
    /// An integer such as `5` or `-1`.
    case integer(Int)
    /// A number with a fraction or exponent such as `0.8`.
    case decimal(Double)
    /// A duration in nanoseconds, from `150ms`, `2s`, `1.5s`, `1m`, `500us`.
    case duration(UInt64)
    /// A percentage such as `30%` (not yet checked against 100).
    case percent(Double)
    /// An integer range `1..20` (bounds as written, not yet checked).
    case integerRange(Int, Int)
    /// A duration range `150ms..300ms` in nanoseconds (bounds as written, not yet checked).
    case durationRange(UInt64, UInt64)
    /// A double-quoted string, escapes resolved.
    case string(String)
    /// A variable reference `$NAME` (the name without `$`).
    case variable(String)
    /// The rest of an `echo` line, as written (comment and surrounding blanks removed).
    case text(String)
    /// `,`
    case comma
    /// `|`
    case pipe
    /// `->`
    case arrow
    /// `=`
    case assign
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`
    case compare(ComparisonOperator)
    /// End of a line.
    case newline
    /// End of the input.
    case endOfInput

    /// Whether this is a plain run of characters (word, number, duration,
    /// percentage or range), usable as a key or value by its text.
    public var isPlainValue: Bool {
        switch self {
        case .word, .integer, .decimal, .duration, .percent, .integerRange, .durationRange: true
        default: false
        }
    }
}
