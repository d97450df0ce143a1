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

extension KVResult {
    /// The result as a tag byte and the value it carries, the form digests and snapshots use:
    /// 0 ok, 1 absent value, 2 value, 3 cas failed on an absent key, 4 cas failed (with the value),
    /// 5 cas failed on another (unknown) value.
    var tagged: (tag: UInt8, value: String?) {
        switch self {
        case .ok: return (0, nil)
        case .value(nil): return (1, nil)
        case .value(let v?): return (2, v)
        case .casFailed(nil): return (3, nil)
        case .casFailed(let v?): return (4, v)
        case .casMismatch: return (5, nil)
        }
    }

    /// Whether a result of this tag carries a value.
    static func tagCarriesValue(_ tag: UInt8) -> Bool { tag == 2 || tag == 4 }

    /// The result of a tag and its value (as `tagged` gives them); nil for an unknown tag.
    init?(tag: UInt8, value: String?) {
        switch (tag, value) {
        case (0, nil): self = .ok
        case (1, nil): self = .value(nil)
        case (2, let v?): self = .value(v)
        case (3, nil): self = .casFailed(current: nil)
        case (4, let v?): self = .casFailed(current: v)
        case (5, nil): self = .casMismatch
        default: return nil
        }
    }
}
