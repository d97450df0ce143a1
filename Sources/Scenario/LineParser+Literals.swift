// Literals: integers, durations, ranges, percentages, numbers, keys and values.

extension LineParser {

    /// What a duration looks like, for messages.
    static let durationExpected = "a duration such as 500us, 150ms, 2s, 1.5s or 1m"

    /// An integer in `range`; `what` names it in messages.
    mutating func parseInteger(_ what: String, in range: ClosedRange<Int>) throws(ParseError) -> Int {
        let token = try require(what)
        let expected = range.upperBound == Int.max
            ? "an integer of at least \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
        switch token.kind {
        case .integer(let value):
            guard range.contains(value) else {
                throw failure("\(what) must be \(range.upperBound == Int.max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"), not \(value)",
                              at: token.location, expected: expected)
            }
            return value
        case .word, .decimal, .duration, .percent, .integerRange, .durationRange:
            throw failure("malformed number '\(token.text)' for \(what)", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    /// A duration in nanoseconds (greater than 0 when `positive`).
    mutating func parseDuration(_ what: String, positive: Bool = false) throws(ParseError) -> UInt64 {
        let token = try require(what, expected: Self.durationExpected)
        switch token.kind {
        case .duration(let nanoseconds):
            guard !positive || nanoseconds > 0 else {
                throw failure("\(what) must be greater than 0", at: token.location, expected: Self.durationExpected)
            }
            return nanoseconds
        case .integer, .decimal:
            throw failure("malformed duration '\(token.text)': missing unit (ns, us, ms, s, m, h)", at: token.location,
                          expected: Self.durationExpected)
        case .durationRange:
            throw failure("expected one duration, not the range '\(token.text)'", at: token.location, expected: Self.durationExpected)
        case .word, .percent, .integerRange:
            throw failure("malformed duration '\(token.text)'", at: token.location, expected: Self.durationExpected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: Self.durationExpected)
        }
    }

    /// `LOW..HIGH` (or one duration, meaning `D..D`) in nanoseconds.
    mutating func parseDurationRange(_ what: String, positive: Bool = false) throws(ParseError) -> ClosedRange<UInt64> {
        let expected = "a duration range such as 150ms..300ms (or one duration)"
        let token = try require(what, expected: expected)
        let low: UInt64, high: UInt64
        switch token.kind {
        case .durationRange(let a, let b): (low, high) = (a, b)
        case .duration(let a): (low, high) = (a, a)
        case .integer, .decimal, .integerRange:
            throw failure("malformed duration range '\(token.text)': missing unit (ns, us, ms, s, m, h)", at: token.location,
                          expected: expected)
        case .word, .percent:
            throw failure("malformed duration range '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard low <= high else {
            throw failure("range '\(token.text)' goes backwards", at: token.location, expected: "LOW..HIGH with LOW <= HIGH")
        }
        guard !positive || low > 0 else {
            throw failure("\(what) must be greater than 0", at: token.location, expected: expected)
        }
        return low...high
    }

    /// A percentage from 0 to 100, such as `30%`.
    mutating func parsePercent(_ what: String) throws(ParseError) -> Double {
        let expected = "a percentage from 0% to 100% such as 30%"
        let token = try require(what, expected: expected)
        switch token.kind {
        case .percent(let value):
            guard value <= 100 else {
                throw failure("percentage \(token.text) is above 100%", at: token.location, expected: expected)
            }
            return value
        case .integer, .decimal:
            throw failure("malformed percentage '\(token.text)': missing '%'", at: token.location, expected: expected)
        case .word, .duration, .integerRange, .durationRange:
            throw failure("malformed percentage '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    /// A number (integer or decimal) in `range`.
    mutating func parseNumber(_ what: String, in range: ClosedRange<Double>) throws(ParseError) -> Double {
        let expected = "a number from \(Literals.formatNumber(range.lowerBound)) to \(Literals.formatNumber(range.upperBound))"
        let token = try require(what, expected: expected)
        let value: Double
        switch token.kind {
        case .integer(let n): value = Double(n)
        case .decimal(let d): value = d
        case .word, .duration, .percent, .integerRange, .durationRange:
            throw failure("malformed number '\(token.text)' for \(what)", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard range.contains(value) else {
            throw failure("\(what) must be from \(Literals.formatNumber(range.lowerBound)) to \(Literals.formatNumber(range.upperBound)), not \(token.text)",
                          at: token.location, expected: expected)
        }
        return value
    }

    /// A key: letters, digits and `_ - . : /`, bare or quoted.
    mutating func parseKey(_ what: String = "KEY") throws(ParseError) -> String {
        let expected = "a key of letters, digits and _ - . : /"
        let token = try require(what, expected: expected)
        let key: String
        switch token.kind {
        case .string(let text): key = text
        case let kind where kind.isPlainValue: key = token.text
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard Literals.isKey(key) else {
            throw failure("invalid \(what == "KEY" ? "key" : what) '\(key)'", at: token.location, expected: expected)
        }
        return key
    }

    /// A value: a plain word or number, or a quoted string (never a variable).
    mutating func parseValue(_ what: String = "VALUE") throws(ParseError) -> String {
        let expected = "\(what): a word, a number or a quoted string"
        let token = try require(what, expected: expected)
        switch token.kind {
        case .string(let text): return text
        case let kind where kind.isPlainValue: return token.text
        case .variable:
            throw failure("a variable cannot be used as \(what)", at: token.location, expected: expected)
        default:
            throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

}
