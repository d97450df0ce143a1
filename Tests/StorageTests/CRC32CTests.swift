import Testing
@testable import Storage

/// Bit-at-a-time reference for the table-driven implementation.
private func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

@Suite struct CRC32CTests {
    @Test func standardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // A collection without contiguous storage takes the other path.
        let lazyDigits = (0..<9).lazy.map { UInt8(ascii: "1") + UInt8($0) }
        #expect(CRC32C.checksum(lazyDigits) == 0xE306_9283)
        // 32 zero bytes: a published CRC-32C test vector (RFC 3720 B.4).
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func matchesBitwiseReferenceAtEveryLengthAndAlignment() {
        var rng = SplitMix(state: 7)
        let data = (0..<200).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for start in 0..<9 {
            for length in 0..<(data.count - start) where length < 40 || length % 17 == 0 {
                let slice = data[start..<(start + length)]
                #expect(CRC32C.checksum(slice) == referenceCRC32C(Array(slice)))
            }
        }
    }

    @Test func seedContinuesAChecksum() {
        let a = Array("hello, ".utf8), b = Array("write-ahead log".utf8)
        #expect(CRC32C.checksum(b, seed: CRC32C.checksum(a)) == CRC32C.checksum(a + b))
        #expect(CRC32C.checksum(a) != CRC32C.checksum(b))
    }
}
