/// Appends little-endian fixed-width integers and length-prefixed byte strings.
struct WireWriter {
    var bytes: [UInt8]
    /// When not nil, where each `count` was written (tests use it to tamper with exactly those).
    var countOffsets: [Int]?

    init(capacity: Int = 0) {
        bytes = []
        countOffsets = nil
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to `buffer`'s bytes, taking them over (`buffer` is left empty, so the
    /// writer's appends do not copy them); the caller takes `bytes` back when done.
    init(continuing buffer: inout [UInt8]) {
        bytes = []
        swap(&bytes, &buffer)
        countOffsets = nil
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    mutating func u32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    mutating func u64(_ v: UInt64) {
        u32(UInt32(truncatingIfNeeded: v))
        u32(UInt32(truncatingIfNeeded: v >> 32))
    }

    /// A count as u32. Anything that large cannot fit in a datagram; it is truncated here and the
    /// frame is rejected as oversized by any receiver.
    mutating func count(_ n: Int) {
        countOffsets?.append(bytes.count)
        u32(UInt32(truncatingIfNeeded: n))
    }

    /// A u32 byte count, then the bytes.
    mutating func byteString(_ b: [UInt8]) {
        count(b.count)
        bytes.append(contentsOf: b)
    }

    /// A u32 byte count, then the UTF-8 bytes.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Overwrite 4 bytes at `offset` with `v` little-endian.
    mutating func patchU32(_ v: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
    }
}

/// Reads a payload `bytes[position..<end]`. Every read checks that the bytes it needs remain and
/// throws `.malformed` otherwise; no read allocates more than what remains in the payload.
struct WireReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from position: Int, to end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    var remaining: Int { end - position }

    private func need(_ n: Int, _ what: String) throws(WireError) {
        guard n <= remaining else { throw .malformed("payload ends inside \(what)") }
    }

    mutating func u8(_ what: String) throws(WireError) -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bool(_ what: String) throws(WireError) -> Bool {
        switch try u8(what) {
        case 0: return false
        case 1: return true
        case let b: throw .malformed("\(what) is \(b), not a boolean")
        }
    }

    mutating func u32(_ what: String) throws(WireError) -> UInt32 {
        try need(4, what)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func u64(_ what: String) throws(WireError) -> UInt64 {
        let low = try u32(what)
        let high = try u32(what)
        return UInt64(high) << 32 | UInt64(low)
    }

    /// A u32 count of items each taking at least `minItemBytes` bytes: rejected unless that many
    /// items could fit in what remains, so a caller may reserve capacity for it.
    mutating func count(_ what: String, minItemBytes: Int) throws(WireError) -> Int {
        let n = try u32("count of \(what)")
        guard UInt64(n) * UInt64(max(minItemBytes, 1)) <= UInt64(remaining) else {
            throw .malformed("count of \(what) (\(n)) exceeds the \(remaining) bytes left")
        }
        return Int(n)
    }

    /// A u32 byte count, then the bytes.
    mutating func byteString(_ what: String) throws(WireError) -> [UInt8] {
        let n = try count(what, minItemBytes: 1)
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    /// A u32 byte count, then that many bytes of well-formed UTF-8.
    mutating func string(_ what: String) throws(WireError) -> String {
        let n = try count(what, minItemBytes: 1)
        let slice = bytes[position..<(position + n)]
        guard isWellFormedUTF8(slice) else { throw .malformed("\(what) is not valid UTF-8") }
        position += n
        return String(decoding: slice, as: UTF8.self)
    }

    /// Fails unless the payload was read to its end.
    func finish() throws(WireError) {
        guard remaining == 0 else { throw .malformed("\(remaining) trailing bytes after the message") }
    }
}

/// Whether `bytes` is well-formed UTF-8: no overlong forms, surrogates, values above U+10FFFF,
/// stray continuation bytes or truncated sequences.
func isWellFormedUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
    if bytes.allSatisfy({ $0 < 0x80 }) { return true }
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
