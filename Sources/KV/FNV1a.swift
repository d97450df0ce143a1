/// 64-bit FNV-1a, fed field by field. Strings are fed with their length first so that
/// different sequences of fields never hash the same stream of bytes.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func byte(_ b: UInt8) {
        value ^= UInt64(b)
        value &*= 0x0000_0100_0000_01b3
    }

    mutating func u64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        for b in s.utf8 { byte(b) }
    }
}
