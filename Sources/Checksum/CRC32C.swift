import CCRC32C

/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF,
/// as in iSCSI, ext4 and SCTP): the checksum of every datagram (`Wire`) and of every
/// write-ahead-log record, snapshot and hard-state file (`Storage`).
///
/// With the processor's CRC-32C instruction (SSE4.2 on x86-64, the CRC extension on AArch64) when
/// it has one, eight bytes per instruction; otherwise a slicing-by-8 table. Both give the same
/// value; `checksum(b, seed: checksum(a)) == checksum(a + b)`, so a checksum can be taken in pieces.
/// Check value: `CRC32C.checksum(Array("123456789".utf8)) == 0xE3069283`.
public enum CRC32C {
    /// Whether this processor's CRC-32C instruction is used (otherwise the table).
    public static let usesHardware: Bool = raftsh_crc32c_hardware() != 0

    /// The CRC-32C of `bytes`, continuing from `seed` (the checksum of the bytes before them; 0 to start).
    @inlinable
    public static func checksum(_ bytes: some Collection<UInt8>, seed: UInt32 = 0) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), seed: seed) }) {
            return crc
        }
        return Array(bytes).withUnsafeBytes { checksum($0, seed: seed) }
    }

    /// The CRC-32C of the bytes in `buffer`, continuing from `seed`.
    public static func checksum(_ buffer: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return seed }
        if usesHardware { return ~raftsh_crc32c_update(~seed, base, buffer.count) }
        return ~tableUpdate(~seed, buffer)
    }

    /// The table's answer whatever the processor has (tests compare the two).
    static func tableChecksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { ~tableUpdate(~seed, $0) }
    }

    /// Slicing-by-8: eight bytes per step through eight 256-entry tables.
    private static func tableUpdate(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        crcTables.withUnsafeBufferPointer { t in
            var crc = start
            var i = 0
            let n = bytes.count
            while n - i >= 8 {
                let lo = crc ^ (UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
                    | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
                let hi = UInt32(bytes[i + 4]) | UInt32(bytes[i + 5]) << 8
                    | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 24
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
            return crc
        }
    }
}

/// Eight 256-entry tables, table k at offset 256*k: table 0 is the bytewise table,
/// table k advances a byte through k further zero bytes.
private let crcTables: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        t[i] = c
    }
    for k in 1..<8 {
        for i in 0..<256 {
            let prev = t[(k - 1) * 256 + i]
            t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
        }
    }
    return t
}()
