/// An operation on the key-value store.
public enum KVOperation: Sendable, Hashable {
    /// Set `key` to `value`.
    case put(key: String, value: String)
    /// Read `key`.
    case get(key: String)
    /// Remove `key`.
    case delete(key: String)
    /// Set `key` to `to` only if its value is `from` (compare-and-set); answers ok or the current value.
    case cas(key: String, from: String, to: String)
    /// Append `value` to the string at `key` (an absent key counts as empty), as in the 6.5840 KV labs.
    case append(key: String, value: String)

    /// The key the operation touches.
    public var key: String {
        switch self {
        case .put(let key, _), .get(let key), .delete(let key), .cas(let key, _, _), .append(let key, _): return key
        }
    }

    /// Whether the operation only reads (served through ReadIndex, not through the log).
    public var isRead: Bool {
        if case .get = self { return true }
        return false
    }

    /// The value a put writes (a cas, if it applies); nil for the others.
    public var value: String? {
        switch self {
        case .put(_, let value): return value
        case .cas(_, _, let to): return to
        case .get, .delete, .append: return nil
        }
    }
}

extension KVOperation: CustomStringConvertible {
    public var description: String {
        switch self {
        case .put(let key, let value): return "put \(key) \(value)"
        case .get(let key): return "get \(key)"
        case .delete(let key): return "delete \(key)"
        case .cas(let key, let from, let to): return "cas \(key) \(from) \(to)"
        case .append(let key, let value): return "append \(key) \(value)"
        }
    }
}
