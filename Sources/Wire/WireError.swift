/// Why a datagram is not a valid `WireMessage`. The receiver drops the datagram and counts it.
public enum WireError: Error, Sendable, Hashable {
    /// Fewer bytes than a frame's header and checksum (`WireCodec.frameOverhead`).
    case tooShort
    /// The first two bytes are not "RF".
    case badMagic
    /// The version byte is not `WireCodec.version`.
    case unsupportedVersion(UInt8)
    /// The type byte names no message type (the frame was otherwise intact).
    case unknownType(UInt8)
    /// The header's payload length does not match the datagram's size.
    case lengthMismatch
    /// The CRC-32C trailer does not match the bytes before it.
    case checksumMismatch
    /// The datagram has this many bytes, more than `WireCodec.maxDatagramBytes`.
    case oversized(Int)
    /// The frame is intact but its payload is not a valid message: a field runs past the payload,
    /// a count or length exceeds what remains, a tag or role is unknown, a string is not UTF-8,
    /// or bytes are left over. The text says which.
    case malformed(String)
}

extension WireError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooShort: return "datagram too short for a frame"
        case .badMagic: return "bad magic (not a raftsh datagram)"
        case .unsupportedVersion(let v): return "unsupported wire version \(v) (expected \(WireCodec.version))"
        case .unknownType(let t): return "unknown message type \(t)"
        case .lengthMismatch: return "payload length does not match datagram size"
        case .checksumMismatch: return "checksum mismatch"
        case .oversized(let n): return "datagram of \(n) bytes exceeds \(WireCodec.maxDatagramBytes)"
        case .malformed(let why): return "malformed payload: \(why)"
        }
    }
}
