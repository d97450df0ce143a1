import Checksum
import KV
import RaftCore

/// The binary form of a `WireMessage` in one UDP datagram.
///
/// Frame (integers little-endian):
///
/// | bytes | field |
/// |---|---|
/// | 2 | magic "RF" (0x52 0x46) |
/// | 1 | version, `WireCodec.version` |
/// | 1 | type: 1 raft, 2 client request, 3 client reply, 4 control, 5 control reply |
/// | 4 | payload length n (u32) |
/// | n | payload (see `PayloadCoding.swift` for each type) |
/// | 4 | CRC-32C (u32) of everything before it |
///
/// Every field of every message is written explicitly; counts and lengths are u32, strings are
/// UTF-8, booleans and optionals are one byte 0/1, enums are one tag byte. The encoding is canonical:
/// a datagram that decodes re-encodes to exactly the same bytes.
///
/// `decode(_:)` checks, in order: size (`oversized`, `tooShort`), magic, version, that the length
/// field matches the datagram's size, the checksum, the type, and then parses the payload with
/// every count and length checked against what remains (`malformed`). It never traps.
public enum WireCodec {
    /// The version byte this codec writes and accepts (nodes of different versions reject each
    /// other's datagrams, so they cannot be mixed in one cluster).
    /// 2: the status report carries vote, first index, chained log hashes, incarnation and message
    /// counters. 3: client requests carry their session, replies may say `sessionExpired`, Raft
    /// messages may carry a snapshot chunk. 4: a snapshot chunk carries the snapshot's log hash;
    /// the status report carries the node's snapshot counters and its configuration; client
    /// requests may be membership changes and transfers (admin requests); `setPeer` control messages.
    /// 5: the status report carries the node's storage syncs.
    public static let version: UInt8 = 5
    /// Largest datagram we send or accept (64 KiB - headers); larger input is rejected as oversized.
    public static let maxDatagramBytes = 65_000
    /// Header (magic, version, type, length) plus checksum: a datagram's size is this plus its payload.
    public static let frameOverhead = headerBytes + checksumBytes

    static let magic: (UInt8, UInt8) = (0x52, 0x46)  // "RF"
    static let headerBytes = 8
    static let checksumBytes = 4

    /// The type byte of each `WireMessage` case.
    enum FrameType: UInt8, CaseIterable {
        case raft = 1
        case clientRequest = 2
        case clientReply = 3
        case control = 4
        case controlReply = 5
    }

    /// The datagram for `m`. It is not size-checked: if `result.count > maxDatagramBytes` every
    /// receiver rejects it, so a sender should check the size (or bound what it puts in a message).
    public static func encode(_ m: WireMessage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frameOverhead + estimatedPayloadBytes(m))
        _ = encode(m, appendingTo: &bytes)
        return bytes
    }

    /// Appends the datagram for `m` to `bytes` (a buffer of several datagrams, one after another)
    /// and returns its size. Not size-checked, as `encode(_:)`.
    public static func encode(_ m: WireMessage, appendingTo bytes: inout [UInt8]) -> Int {
        var w = WireWriter(continuing: &bytes)
        let start = w.bytes.count
        write(m, to: &w)
        swap(&bytes, &w.bytes)
        return bytes.count - start
    }

    /// The message in `bytes`, or the reason it is not one. Never traps on any input.
    public static func decode(_ bytes: some Collection<UInt8>) throws(WireError) -> WireMessage {
        let count = bytes.count
        guard count <= maxDatagramBytes else { throw .oversized(count) }
        return try decodeFrame(Array(bytes))
    }

    // MARK: - Frame

    /// The encoding of `m`, and the offset of every u32 count or length field in it (for fuzzing
    /// the parser's bounds checks where they matter).
    static func encodeRecordingCounts(_ m: WireMessage) -> (bytes: [UInt8], countOffsets: [Int]) {
        var w = WireWriter()
        w.countOffsets = []
        write(m, to: &w)
        return (w.bytes, w.countOffsets ?? [])
    }

    private static func write(_ m: WireMessage, to w: inout WireWriter) {
        let start = w.bytes.count
        w.u8(magic.0)
        w.u8(magic.1)
        w.u8(version)
        switch m {
        case .raft(let message):
            w.u8(FrameType.raft.rawValue)
            w.u32(0)  // the payload length, patched below
            w.message(message)
        case .clientRequest(let request):
            w.u8(FrameType.clientRequest.rawValue)
            w.u32(0)
            w.clientRequest(request)
        case .clientReply(let reply):
            w.u8(FrameType.clientReply.rawValue)
            w.u32(0)
            w.clientReply(reply)
        case .control(let request, let id, let key):
            w.u8(FrameType.control.rawValue)
            w.u32(0)
            w.u64(id)
            w.byteString(key)
            w.controlRequest(request)
        case .controlReply(let reply, let id):
            w.u8(FrameType.controlReply.rawValue)
            w.u32(0)
            w.u64(id)
            w.controlReply(reply)
        }
        w.patchU32(UInt32(truncatingIfNeeded: w.bytes.count - start - headerBytes), at: start + 4)
        w.u32(CRC32C.checksum(w.bytes[start...]))
    }

    /// Wrap an arbitrary payload in a frame with a correct length and checksum (for tests and tools).
    static func frame(type: UInt8, payload: [UInt8], version: UInt8 = version) -> [UInt8] {
        var w = WireWriter(capacity: frameOverhead + payload.count)
        w.u8(magic.0)
        w.u8(magic.1)
        w.u8(version)
        w.u8(type)
        w.count(payload.count)
        w.bytes.append(contentsOf: payload)
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    static func decodeFrame(_ bytes: [UInt8]) throws(WireError) -> WireMessage {
        guard bytes.count <= maxDatagramBytes else { throw .oversized(bytes.count) }
        guard bytes.count >= frameOverhead else { throw .tooShort }
        guard bytes[0] == magic.0, bytes[1] == magic.1 else { throw .badMagic }
        guard bytes[2] == version else { throw .unsupportedVersion(bytes[2]) }
        let end = bytes.count - checksumBytes
        var header = WireReader(bytes, from: 3, to: headerBytes)
        let rawType = try header.u8("type")
        let length = try header.u32("payload length")
        guard UInt64(length) == UInt64(end - headerBytes) else { throw .lengthMismatch }
        var trailer = WireReader(bytes, from: end, to: bytes.count)
        let stored = try trailer.u32("checksum")
        guard CRC32C.checksum(bytes[0..<end]) == stored else { throw .checksumMismatch }
        guard let type = FrameType(rawValue: rawType) else { throw .unknownType(rawType) }

        var r = WireReader(bytes, from: headerBytes, to: end)
        let message: WireMessage
        switch type {
        case .raft:
            message = .raft(try r.message())
        case .clientRequest:
            message = .clientRequest(try r.clientRequest())
        case .clientReply:
            message = .clientReply(try r.clientReply())
        case .control:
            let id = try r.u64("control id")
            let key = try r.byteString("cluster key")
            message = .control(try r.controlRequest(), id: id, key: key)
        case .controlReply:
            let id = try r.u64("control id")
            message = .controlReply(try r.controlReply(), id: id)
        }
        try r.finish()
        return message
    }

    /// A capacity hint, so that encoding a large append does not reallocate as it grows.
    private static func estimatedPayloadBytes(_ m: WireMessage) -> Int {
        switch m {
        case .raft(let message):
            return 128 + (message.snapshot?.byteSize ?? 0) + message.entries.reduce(0) { $0 + 21 + $1.data.count }
        case .controlReply(.log(let entries), _): return 64 + entries.reduce(0) { $0 + 21 + $1.data.count }
        default: return 256
        }
    }
}
