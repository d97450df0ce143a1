/// Appends little-endian fixed-width integers and length-prefixed strings to a byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    /// Little-endian.
    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Little-endian.
    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A UInt32 byte count, then the UTF-8 bytes.
    mutating func string(_ s: String) {
        u32(UInt32(truncatingIfNeeded: s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
}

/// Reads what `ByteWriter` wrote; every read checks bounds and throws instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - position }

    mutating func u8() throws(CommandDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32() throws(CommandDecodingError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        // One unaligned little-endian load (bounds checked above), not four checked byte reads.
        let p = position
        let v = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: p, as: UInt32.self)) }
        position += 4
        return v
    }

    mutating func u64() throws(CommandDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        let p = position
        let v = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: p, as: UInt64.self)) }
        position += 8
        return v
    }

    mutating func string() throws(CommandDecodingError) -> String {
        let count = try u32()
        guard UInt64(count) <= UInt64(remaining) else { throw .truncated }
        let n = Int(count)
        let slice = bytes[position..<(position + n)]
        // ASCII (keys and values, nearly always) is valid UTF-8: no decoder needed to check it.
        guard slice.allSatisfy({ $0 < 0x80 }) || isValidUTF8(slice) else { throw .badUTF8 }
        position += n
        return String(decoding: slice, as: UTF8.self)
    }
}

/// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or truncated sequences).
func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}
