/// Result of an operation that took effect: put and delete give `.ok`, get gives `.value`
/// with the value read (nil when the key is absent).
public enum KVResult: Sendable, Hashable {
    /// A write took effect.
    case ok
    /// The value read, or nil if the key was absent.
    case value(String?)
}

extension KVResult: CustomStringConvertible {
    /// `ok`, the value read, or `none` for an absent key.
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .value(let v?): return v
        case .value(nil): return "none"
        }
    }
}
