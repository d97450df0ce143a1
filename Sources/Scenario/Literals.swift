/// Reading and writing the literal forms of the scenario language: durations,
/// numbers, percentages, keys and quoted strings.
///
/// The parser reads with these and `sourceText` writes with them, so a printed
/// statement always reads back to the same value.
public enum Literals {
    /// Duration units and their length in nanoseconds.
    public static let durationUnits: [(unit: String, nanoseconds: UInt64)] = [
        ("ns", 1),
        ("us", 1_000),
        ("µs", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
    ]

    /// Parses a duration such as `150ms`, `2s`, `1m`, `500us` or `1.5s` to nanoseconds.
    ///
    /// The number is decimal digits with an optional fraction; the unit is one of
    /// `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`. Returns nil for anything else, for
    /// values that do not fit in `UInt64`, and for fractions finer than a nanosecond.
    public static func parseDuration(_ text: String) -> UInt64? {
        let scalars = Array(text.unicodeScalars)
        var split = 0
        while split < scalars.count, isDigit(scalars[split]) || scalars[split] == "." { split += 1 }
        let number = String(String.UnicodeScalarView(scalars[..<split]))
        let unit = String(String.UnicodeScalarView(scalars[split...]))
        guard let multiplier = durationUnits.first(where: { $0.unit == unit })?.nanoseconds else { return nil }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(isDigit) }),
              let whole = UInt64(parts[0]) else { return nil }
        let (wholeNanos, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        guard parts.count == 2 else { return wholeNanos }
        let fraction = parts[1]
        guard fraction.count <= 18, let digits = UInt64(fraction) else { return nil }
        var scale: UInt64 = 1
        for _ in 0..<fraction.count { scale *= 10 }
        let (scaled, overflow2) = digits.multipliedReportingOverflow(by: multiplier)
        guard !overflow2, scaled % scale == 0 else { return nil }
        let (total, overflow3) = wholeNanos.addingReportingOverflow(scaled / scale)
        return overflow3 ? nil : total
    }

    /// Writes a duration in the largest unit that divides it exactly:
    /// `2m`, `90s`, `150ms`, `500us`, `7ns`; zero is `0s`.
    public static func formatDuration(_ nanoseconds: UInt64) -> String {
        if nanoseconds == 0 { return "0s" }
        for (unit, length) in [("h", UInt64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)]
        where nanoseconds % length == 0 {
            return "\(nanoseconds / length)\(unit)"
        }
        return "\(nanoseconds)ns"
    }

    /// Writes a duration range as `LOW..HIGH`, or a single duration when both ends are equal.
    public static func formatDurationRange(_ range: ClosedRange<UInt64>) -> String {
        range.lowerBound == range.upperBound
            ? formatDuration(range.lowerBound)
            : formatDuration(range.lowerBound) + ".." + formatDuration(range.upperBound)
    }

    /// Parses an integer: an optional `-` and decimal digits that fit in `Int`.
    public static func parseInteger(_ text: String) -> Int? {
        var body = Substring(text)
        if body.hasPrefix("-") { body = body.dropFirst() }
        guard !body.isEmpty, body.unicodeScalars.allSatisfy(isDigit) else { return nil }
        return Int(text)
    }

    /// Parses a number: an optional `-`, digits, an optional fraction and an
    /// optional exponent (`0.8`, `12`, `-3.5`, `1e-07`). Returns nil unless finite.
    public static func parseNumber(_ text: String) -> Double? {
        var body = Substring(text)
        if body.hasPrefix("-") { body = body.dropFirst() }
        guard isUnsignedNumber(body), let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Writes a number so that `parseNumber` reads it back exactly:
    /// whole numbers without a fraction (`100`), others in Swift's shortest form (`0.8`).
    public static func formatNumber(_ value: Double) -> String {
        if value.isFinite, value.magnitude < 1e15, value == Double(Int64(value)) {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// Parses a percentage such as `30%` or `2.5%` (any non-negative number then `%`).
    /// The range 0...100 is checked by the parser, not here.
    public static func parsePercent(_ text: String) -> Double? {
        guard text.hasSuffix("%") else { return nil }
        let number = text.dropLast()
        guard isUnsignedNumber(number), let value = Double(number), value.isFinite else { return nil }
        return value
    }

    /// Writes a percentage: `30%`.
    public static func formatPercent(_ value: Double) -> String { formatNumber(value) + "%" }

    /// Characters a key (or a metric name) may contain besides letters and digits.
    public static let keyPunctuation: Set<Unicode.Scalar> = ["_", "-", ".", ":", "/"]

    /// Whether `text` is a valid key: non-empty, letters, digits and `_ - . : /` only.
    public static func isKey(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || isDigit($0) || keyPunctuation.contains($0) }
    }

    /// Whether `text` is a valid variable name: ASCII letters, digits and `_`, not starting with a digit.
    public static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !isDigit(first) else { return false }
        return text.unicodeScalars.allSatisfy(isIdentifierScalar)
    }

    /// Writes a value (a put value, an expected value, a file name) so that it
    /// reads back as the same single value: bare when it lexes as one plain token
    /// with exactly this text, otherwise in double quotes with `\" \\ \n \r \t` escapes.
    public static func quoteIfNeeded(_ value: String) -> String {
        isBare(value) ? value : quoted(value)
    }

    /// Writes `value` in double quotes with `\" \\ \n \r \t` escaped.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func isBare(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        let lexer = Lexer(source: value, file: "", firstLine: 1)
        guard lexer.lineCount == 1, let tokens = try? lexer.tokenizeLine(0), tokens.count == 1 else { return false }
        return tokens[0].kind.isPlainValue && tokens[0].text == value
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || isDigit(scalar) || scalar == "_"
    }

    /// digits ('.' digits)? ([eE] [+-]? digits)?
    static func isUnsignedNumber(_ text: Substring) -> Bool {
        let s = Array(text.unicodeScalars)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < s.count, isDigit(s[i]) { i += 1 }
            return i - start
        }
        guard digits() > 0 else { return false }
        if i < s.count, s[i] == "." {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            i += 1
            if i < s.count, s[i] == "+" || s[i] == "-" { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == s.count
    }
}
