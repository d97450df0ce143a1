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
        let n = Int(count), p = position
        // Read in place through a buffer pointer (a slice of the array retained it and went
        // through generic paths). (`String(validating:as:)` is not specialized: it looked up
        // generic metadata at every string.)
        let s: String? = bytes.withUnsafeBufferPointer { all in
            let utf8 = UnsafeBufferPointer(rebasing: all[p ..< p + n])
            // ASCII (keys and values, nearly always) is valid UTF-8: no decoder needed to check it.
            guard utf8.allSatisfy({ $0 < 0x80 }) || isValidUTF8(utf8) else { return nil }
            return String(decoding: utf8, as: UTF8.self)
        }
        guard let s else { throw .badUTF8 }
        position += n
        return s
    }
}

/// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or truncated sequences).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
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

/// Writes integers (little-endian) and strings (a UInt32 byte count, then the UTF-8 bytes), the
/// way `ByteWriter` does, into a buffer already allocated: for a value whose size is known first
/// (`Command.encode()`). Every write checks that it fits.
struct UnsafeByteWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// The bytes written so far, from the start of the buffer.
    private(set) var written = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    private mutating func reserve(_ n: Int) -> UnsafeMutableRawPointer {
        precondition(n <= buffer.count - written, "UnsafeByteWriter: past the end of its buffer")
        let p = UnsafeMutableRawPointer(buffer.baseAddress! + written)
        written += n
        return p
    }

    mutating func u8(_ v: UInt8) { reserve(1).storeBytes(of: v, as: UInt8.self) }

    mutating func u32(_ v: UInt32) { reserve(4).storeBytes(of: v.littleEndian, as: UInt32.self) }

    mutating func u64(_ v: UInt64) { reserve(8).storeBytes(of: v.littleEndian, as: UInt64.self) }

    mutating func string(_ s: String) {
        withUTF8Bytes(of: s) { utf8 in
            u32(UInt32(truncatingIfNeeded: utf8.count))
            guard let base = utf8.baseAddress, utf8.count > 0 else { return }
            reserve(utf8.count).copyMemory(from: base, byteCount: utf8.count)
        }
    }
}

/// Calls `body` with `s`'s UTF-8 bytes: a native string's in place (a small one's copied to the
/// stack), others' through `withUTF8` on a copy (which may make a bridged string native). Copying
/// every string first cost a retain and a release per string (callgrind of `raftsh bench sim`).
@inline(__always)
func withUTF8Bytes<R>(of s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let r = s.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
    var s = s
    return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}
