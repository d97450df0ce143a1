/// Result of an operation that took effect: put, delete, append and a cas that applied give `.ok`,
/// get gives `.value` with the value read (nil when the key is absent), a cas whose expected value
/// did not match gives `.casFailed` with the value it found (the store did not change).
public enum KVResult: Sendable, Hashable {
    /// A write took effect.
    case ok
    /// The value read, or nil if the key was absent.
    case value(String?)
    /// A compare-and-set found this value (nil: absent) instead of the one expected, and did nothing.
    case casFailed(current: String?)
    /// A compare-and-set found a value other than the one expected, and did nothing; which value is
    /// not known, only that the key held one (Maelstrom's error 22, precondition failed).
    case casMismatch
}

extension KVResult: CustomStringConvertible {
    /// `ok`, the value read, or `none` for an absent key.
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .value(let v?): return v
        case .value(nil): return "none"
        case .casFailed(let current): return "cas failed: current value " + (current ?? "none")
        case .casMismatch: return "cas failed: another value"
        }
    }
}
