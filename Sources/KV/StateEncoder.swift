/// Where `KVStore.encodeState(into:)` writes: the snapshot's bytes (`ByteWriter`) or the digest's
/// hash (`FNV1a`), so that both see the state in one order.
protocol StateEncoder {
    mutating func byte(_ v: UInt8)
    mutating func u64(_ v: UInt64)
    /// A count of items that follow.
    mutating func count(_ n: Int)
    mutating func string(_ s: String)
}

extension ByteWriter: StateEncoder {
    mutating func byte(_ v: UInt8) { u8(v) }
    /// A u32, as the snapshot format has it.
    mutating func count(_ n: Int) { u32(UInt32(truncatingIfNeeded: n)) }
}

extension FNV1a: StateEncoder {
    mutating func count(_ n: Int) { u64(UInt64(n)) }
}
