/// A value of EDN (extensible data notation), the form Jepsen, Knossos and Elle write histories in:
/// just what histories use — nil, booleans, integers, floats, strings, keywords, symbols,
/// vectors, lists, sets and maps.
public indirect enum EDN: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    /// `:name` (the name without the colon).
    case keyword(String)
    /// A bare symbol such as `foo`.
    case symbol(String)
    case vector([EDN])
    case list([EDN])
    case set([EDN])
    /// Keys and values in the order written.
    case map([(EDN, EDN)])

    public static func == (a: EDN, b: EDN) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)), (.keyword(let x), .keyword(let y)), (.symbol(let x), .symbol(let y)):
            return x == y
        case (.vector(let x), .vector(let y)), (.list(let x), .list(let y)), (.set(let x), .set(let y)): return x == y
        case (.map(let x), .map(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }

    /// The value of `key` (a keyword name) in a map, nil otherwise.
    public subscript(keyword key: String) -> EDN? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.0 == .keyword(key) }?.1
    }

    /// The value written back as EDN text.
    public var description: String {
        switch self {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return EDN.quote(s)
        case .keyword(let k): return ":" + k
        case .symbol(let s): return s
        case .vector(let xs): return "[" + xs.map(\.description).joined(separator: " ") + "]"
        case .list(let xs): return "(" + xs.map(\.description).joined(separator: " ") + ")"
        case .set(let xs): return "#{" + xs.map(\.description).joined(separator: " ") + "}"
        case .map(let pairs): return "{" + pairs.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    /// `s` as an EDN string literal.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if ch.value < 0x20 {
                    let hex = String(ch.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out + "\""
    }
}

/// Why EDN text could not be read: what, and where (1-based line and column).
public struct EDNError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public init(_ message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column): \(message)" }
}

/// Reads EDN values from text. Never traps: malformed input throws `EDNError` with its position.
public struct EDNReader {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var column = 1
    private var depth = 0
    /// Where the last top-level value read began (line, column).
    public private(set) var lastStart: (line: Int, column: Int) = (1, 1)

    /// A reader of `text`; `firstLine` numbers its first line (for errors).
    public init(_ text: String, firstLine: Int = 1) {
        scalars = Array(text.unicodeScalars)
        line = firstLine
    }

    /// Whether only whitespace, commas and comments are left.
    public mutating func atEnd() -> Bool {
        skipSpace()
        return position >= scalars.count
    }

    /// Every value in the text, in order.
    public mutating func readAll() throws(EDNError) -> [EDN] {
        var out: [EDN] = []
        while !atEnd() { out.append(try read()) }
        return out
    }

    /// The next value.
    public mutating func read() throws(EDNError) -> EDN {
        skipSpace()
        if depth == 0 { lastStart = (line, column) }
        guard let c = peek else { throw error("unexpected end of input") }
        switch c {
        case "{":
            let items = try collection(close: "}", open: 1)
            return .map(try pairs(items))
        case "[": return .vector(try collection(close: "]", open: 1))
        case "(": return .list(try collection(close: ")", open: 1))
        case "#":
            if peek(at: 1) == "{" { return .set(try collection(close: "}", open: 2)) }
            if peek(at: 1) == "_" {
                advance(); advance()
                _ = try read()
                return try read()
            }
            // A tagged value such as #inst "...": keep the value, drop the tag.
            advance()
            _ = try token()
            return try read()
        case "\"": return .string(try string())
        case "}", "]", ")": throw error("unexpected '\(c)'")
        case ":":
            advance()
            let name = try token()
            if name.isEmpty { throw error("empty keyword") }
            return .keyword(name)
        default:
            let (l, col) = (line, column)
            let t = try token()
            if t.isEmpty { throw error("unexpected '\(c)'") }
            return try atom(t, line: l, column: col)
        }
    }

    // MARK: - Pieces

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func peek(at offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private mutating func advance() {
        guard position < scalars.count else { return }
        if scalars[position] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        position += 1
    }

    private func error(_ message: String) -> EDNError { EDNError(message, line: line, column: column) }

    private mutating func skipSpace() {
        while let c = peek {
            if c == ";" {
                while let d = peek, d != "\n" { advance() }
            } else if c.properties.isWhitespace || c == "," {
                advance()
            } else {
                return
            }
        }
    }

    private mutating func collection(close: Unicode.Scalar, open: Int) throws(EDNError) -> [EDN] {
        let (l, c) = (line, column)
        for _ in 0..<open { advance() }
        depth += 1
        defer { depth -= 1 }
        if depth > 256 { throw error("nested too deeply") }
        var items: [EDN] = []
        while true {
            skipSpace()
            guard let ch = peek else { throw EDNError("'\(close)' missing for the collection opened here", line: l, column: c) }
            if ch == close {
                advance()
                return items
            }
            items.append(try read())
        }
    }

    private func pairs(_ items: [EDN]) throws(EDNError) -> [(EDN, EDN)] {
        guard items.count % 2 == 0 else { throw error("a map needs an even number of forms, got \(items.count)") }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    private static func isDelimiter(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || c == "," || c == ";" || "{}[]()\"".unicodeScalars.contains(c)
    }

    private mutating func token() throws(EDNError) -> String {
        var s = String.UnicodeScalarView()
        while let c = peek, !EDNReader.isDelimiter(c) {
            s.append(c)
            advance()
        }
        return String(s)
    }

    private func atom(_ t: String, line l: Int, column c: Int) throws(EDNError) -> EDN {
        switch t {
        case "nil": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        let first = t.unicodeScalars.first!
        if first.properties.numericType != nil || ((first == "-" || first == "+") && t.count > 1
                                                  && t.unicodeScalars.dropFirst().first!.properties.numericType != nil) {
            var digits = t
            if digits.hasSuffix("N") || digits.hasSuffix("M") { digits.removeLast() }
            if let i = Int64(digits) { return .int(i) }
            if let d = Double(digits), d.isFinite { return .double(d) }
            throw EDNError("malformed number '\(t)'", line: l, column: c)
        }
        return .symbol(t)
    }

    private mutating func string() throws(EDNError) -> String {
        let (l, c) = (line, column)
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let ch = peek else { throw EDNError("unterminated string", line: l, column: c) }
            advance()
            if ch == "\"" { return String(out) }
            guard ch == "\\" else {
                out.append(ch)
                continue
            }
            guard let e = peek else { throw EDNError("unterminated string", line: l, column: c) }
            advance()
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "\"": out.append("\"")
            case "\\": out.append("\\")
            case "u":
                var hex = ""
                for _ in 0..<4 {
                    guard let h = peek, h.properties.isASCIIHexDigit else { throw error("malformed \\u escape") }
                    hex.unicodeScalars.append(h)
                    advance()
                }
                guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else { throw error("malformed \\u escape") }
                out.append(scalar)
            default: throw error("unknown escape '\\\(e)'")
            }
        }
    }
}
