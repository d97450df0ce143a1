import Testing
import TestSupport
@testable import Checksum

/// Bit-at-a-time reference, straight from the definition.
private func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("the standard check value and RFC 3720 (iSCSI) test vectors, by both paths")
    func publishedVectors() {
        let vectors: [([UInt8], UInt32)] = [
            (Array("123456789".utf8), 0xE306_9283),
            ([], 0),
            ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            ((0..<32).map { UInt8($0) }, 0x46DD_794E),
            ((0..<32).map { UInt8(31 - $0) }, 0x113F_DB5C),
        ]
        for (bytes, expected) in vectors {
            #expect(CRC32C.checksum(bytes) == expected)
            #expect(CRC32C.tableChecksum(bytes) == expected)
        }
        // A collection without contiguous storage is copied first.
        #expect(CRC32C.checksum((0..<9).lazy.map { UInt8(ascii: "1") + UInt8($0) }) == 0xE306_9283)
    }

    @Test("the instruction, the table and the definition agree at every length and alignment")
    func pathsAgree() {
        var rng = SplitMix64(seed: 7)
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for start in 0..<9 {
            for length in 0..<(data.count - start) where length < 70 || length % 17 == 0 {
                let slice = data[start..<(start + length)]
                let reference = referenceCRC32C(Array(slice))
                #expect(CRC32C.checksum(slice) == reference)
                #expect(CRC32C.tableChecksum(Array(slice)) == reference)
            }
        }
    }

    @Test("a seed continues a checksum, in pieces of any size")
    func seedContinues() {
        var rng = SplitMix64(seed: 3)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32C.checksum(bytes)
        for cut in [0, 1, 7, 8, 337, 999, 1000] {
            #expect(CRC32C.checksum(bytes[cut...], seed: CRC32C.checksum(bytes[..<cut])) == whole)
            #expect(CRC32C.tableChecksum(Array(bytes[cut...]), seed: CRC32C.tableChecksum(Array(bytes[..<cut]))) == whole)
        }
        #expect(CRC32C.checksum(Array("hello".utf8)) != CRC32C.checksum(Array("hellp".utf8)))
    }

    @Test("this x86-64 or AArch64 machine uses its CRC-32C instruction")
    func hardwareOnThisMachine() {
        #if arch(x86_64) || arch(arm64)
        #expect(CRC32C.usesHardware)
        #endif
    }
}
