import Testing
@testable import Wire

@Suite("CRC-32C")
struct ChecksumTests {
    @Test("the standard check value")
    func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test("RFC 3720 (iSCSI) test vectors")
    func rfc3720() {
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test("contiguous and non-contiguous input agree, and updating in pieces equals one pass")
    func incremental() {
        var rng = SplitMix64(seed: 3)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32C.checksum(bytes)
        #expect(CRC32C.checksum(bytes.lazy.map { $0 }) == whole)
        let split = bytes.withUnsafeBufferPointer { buf in
            CRC32C.finalize(CRC32C.update(CRC32C.update(CRC32C.initial, UnsafeBufferPointer(rebasing: buf[..<337])),
                                          UnsafeBufferPointer(rebasing: buf[337...])))
        }
        #expect(split == whole)
    }
}
