import Wire

// The `--json` forms of `status`, `log`, `history` and `report`, and the editor grammar, are written
// with Wire's `JSONValue` (object keys in sorted order: the same run prints the same bytes).

extension JSONValue {
    /// A count, an index, a term or a time in nanoseconds.
    static func count(_ n: UInt64) -> JSONValue { .int(Int64(clamping: n)) }

    /// A count, or null.
    static func count(_ n: UInt64?) -> JSONValue { n.map { .count($0) } ?? .null }

    /// A string, or null.
    static func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }

    /// An object of these members.
    static func fields(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(Dictionary(pairs, uniquingKeysWith: { first, _ in first }))
    }

    /// The value as JSON text indented by two spaces per level, keys sorted (for files kept in
    /// the repository).
    var pretty: String { pretty(indent: "") }

    private func pretty(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.keys.sorted().map { inner + JSONValue.quote($0) + ": " + members[$0]!.pretty(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return description
        }
    }
}
