import KV

/// How every output shows a key or a value: as typed in the scenario language when that is
/// unambiguous, else in double quotes with `\" \\ \n \r \t` escaped and any other control or
/// invisible formatting character written `\u{1B}`, so that one value is always one visible token
/// on one line (in answers, `log`, `history`, tables).
public enum ValueText {
    /// `s` ready to print: bare (`1`, `hello`) or quoted and escaped (`"two words"`, `"a\nb"`).
    /// The empty string and the string `none` are quoted (`none` alone means absent).
    public static func display(_ s: String) -> String {
        needsQuotes(s) ? quoted(s) : s
    }

    /// An operation as outputs show it: `put x 1`, `get "a b"`, `cas k 1 2`.
    public static func operation(_ op: KVOperation) -> String {
        switch op {
        case .put(let k, let v): return "put \(display(k)) \(display(v))"
        case .get(let k): return "get \(display(k))"
        case .delete(let k): return "delete \(display(k))"
        case .cas(let k, let from, let to): return "cas \(display(k)) \(display(from)) \(display(to))"
        case .append(let k, let v): return "append \(display(k)) \(display(v))"
        }
    }

    /// Whether `s` must be quoted to print as one unambiguous token.
    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty || s == "none" { return true }
        if s.contains("->") || s.contains("!=") { return true }
        return s.unicodeScalars.contains { c in
            c.properties.isWhitespace || isInvisible(c) || "#,|\"=<>\\".unicodeScalars.contains(c)
        }
    }

    /// `s` in double quotes, escaped.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if isInvisible(c) || (c.properties.isWhitespace && c != " ") {
                    out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// Control characters (C0, DEL, C1) and invisible formatting characters (bidi overrides,
    /// zero-width joiners, line and paragraph separators).
    static func isInvisible(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse: true
        default: false
        }
    }
}
