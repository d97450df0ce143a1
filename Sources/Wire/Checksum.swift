/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF,
/// as used by iSCSI, ext4 and SCTP. Check value: `CRC32C.checksum("123456789".utf8) == 0xE3069283`.
///
/// Table-driven, one byte at a time: a datagram is at most `WireCodec.maxDatagramBytes`, so this is
/// far from the cost of the system call that carried it.
enum CRC32C {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// `table[b]` is the CRC register after shifting the byte `b` through it.
    static let table: [UInt32] = (0..<256).map { (byte: UInt32) -> UInt32 in
        var crc = byte
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1
        }
        return crc
    }

    /// The register value before any byte.
    static let initial: UInt32 = 0xFFFF_FFFF

    /// Feed `bytes` into a running register (start from `initial`; finish with `finalize`).
    static func update(_ crc: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc = crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
            }
        }
        return crc
    }

    /// The checksum from a running register.
    static func finalize(_ crc: UInt32) -> UInt32 { ~crc }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ update(initial, $0) }) {
            return finalize(crc)
        }
        return Array(bytes).withUnsafeBufferPointer { finalize(update(initial, $0)) }
    }
}
