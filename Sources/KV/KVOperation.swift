/// An operation on the key-value store.
public enum KVOperation: Sendable, Hashable {
    /// Set `key` to `value`.
    case put(key: String, value: String)
    /// Read `key`.
    case get(key: String)
    /// Remove `key`.
    case delete(key: String)

    /// The key the operation touches.
    public var key: String {
        switch self {
        case .put(let key, _), .get(let key), .delete(let key): return key
        }
    }

    /// Whether the operation only reads (served through ReadIndex, not through the log).
    public var isRead: Bool {
        if case .get = self { return true }
        return false
    }

    /// The value a put writes; nil for get and delete.
    public var value: String? {
        if case .put(_, let value) = self { return value }
        return nil
    }
}

extension KVOperation: CustomStringConvertible {
    public var description: String {
        switch self {
        case .put(let key, let value): return "put \(key) \(value)"
        case .get(let key): return "get \(key)"
        case .delete(let key): return "delete \(key)"
        }
    }
}
