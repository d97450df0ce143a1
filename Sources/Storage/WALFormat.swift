import Checksum
import RaftCore

/// One record of the write-ahead log.
enum WALRecord: Equatable {
    /// An entry appended at `entry.index`.
    case entry(Entry)
    /// Every entry at `from` or later is removed (a conflicting suffix is being replaced).
    case truncate(from: LogIndex)
    /// Every entry is removed, and the log starts again right after `point` (whose term is known),
    /// with no state before it: how a log that starts after index 1 is made without a snapshot.
    case start(after: SnapshotMetadata)
    /// The log was replaced by the snapshot at `point`, stored in `snap/` (what installing a
    /// snapshot from the leader does): every entry before this record is gone, the log continues
    /// right after the snapshot. Written before the snapshot file; a last record whose snapshot
    /// file does not exist is the trace of a crash in between, and is cut.
    case snapshot(SnapshotMetadata)
}

/// The byte layout of a segment: records back to back, each
/// `[u32 payload length][u32 CRC-32C of payload][payload]`, little-endian, where the payload is
/// `[u8 1][u64 term][u64 index][u8 kind][data]` for an entry, `[u8 2][u64 fromIndex]` for a truncate,
/// `[u8 3][u64 index][u64 term]` for a start or `[u8 4][u64 index][u64 term]` for a snapshot.
enum WALFormat {
    static let headerSize = 8
    static let entryType: UInt8 = 1
    static let truncateType: UInt8 = 2
    static let startType: UInt8 = 3
    static let snapshotType: UInt8 = 4
    /// Payload bytes of an entry before its data.
    static let entryFixedSize = 1 + 8 + 8 + 1
    static let truncateSize = 1 + 8
    static let startSize = 1 + 8 + 8

    /// Whether every byte from `offset` to the end is zero (a record never starts with a zero
    /// length: its payload holds at least its type byte).
    static func onlyZeros(in bytes: [UInt8], from offset: Int) -> Bool {
        var i = offset
        while i < bytes.count {
            if bytes[i] != 0 { return false }
            i += 1
        }
        return true
    }

    static func encodedSize(_ record: WALRecord) -> Int {
        switch record {
        case .entry(let e): return headerSize + entryFixedSize + e.data.count
        case .truncate: return headerSize + truncateSize
        case .start, .snapshot: return headerSize + startSize
        }
    }

    static func append(_ record: WALRecord, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        switch record {
        case .entry(let e):
            buffer.append(entryType)
            appendLE(e.term, to: &buffer)
            appendLE(e.index, to: &buffer)
            buffer.append(e.kind.rawValue)
            buffer.append(contentsOf: e.data)
        case .truncate(let from):
            buffer.append(truncateType)
            appendLE(from, to: &buffer)
        case .start(let point):
            buffer.append(startType)
            appendLE(point.index, to: &buffer)
            appendLE(point.term, to: &buffer)
        case .snapshot(let point):
            buffer.append(snapshotType)
            appendLE(point.index, to: &buffer)
            appendLE(point.term, to: &buffer)
        }
        let length = UInt32(buffer.count - start - headerSize)
        let crc = CRC32C.checksum(buffer[(start + headerSize)...])
        putLE(length, into: &buffer, at: start)
        putLE(crc, into: &buffer, at: start + 4)
    }

    enum Decoded {
        case record(WALRecord, end: Int)
        /// `checksumValid`: the frame is intact but its payload makes no sense, which a torn
        /// write cannot produce; otherwise the bytes may be the remains of a torn write.
        case bad(reason: String, checksumValid: Bool)
    }

    static func decode(_ bytes: [UInt8], at offset: Int) -> Decoded {
        let remaining = bytes.count - offset
        if remaining < headerSize {
            return .bad(reason: "incomplete record header (\(remaining) of \(headerSize) bytes before the end of the file)",
                        checksumValid: false)
        }
        let length = Int(readLE32(bytes, offset))
        let crc = readLE32(bytes, offset + 4)
        if length == 0 {
            return .bad(reason: "zero-length record", checksumValid: false)
        }
        if length > remaining - headerSize {
            return .bad(reason: "record length \(length) runs past the end of the file (\(remaining - headerSize) bytes left)",
                        checksumValid: false)
        }
        let p = offset + headerSize
        if CRC32C.checksum(bytes[p..<(p + length)]) != crc {
            return .bad(reason: "checksum mismatch (record length \(length))", checksumValid: false)
        }
        switch bytes[p] {
        case entryType:
            guard length >= entryFixedSize else {
                return .bad(reason: "entry record too short (\(length) bytes)", checksumValid: true)
            }
            guard let kind = EntryKind(rawValue: bytes[p + 17]) else {
                return .bad(reason: "unknown entry kind \(bytes[p + 17])", checksumValid: true)
            }
            let entry = Entry(term: readLE64(bytes, p + 1), index: readLE64(bytes, p + 9), kind: kind,
                              data: Array(bytes[(p + entryFixedSize)..<(p + length)]))
            return .record(.entry(entry), end: p + length)
        case truncateType:
            guard length == truncateSize else {
                return .bad(reason: "truncate record of length \(length), expected \(truncateSize)", checksumValid: true)
            }
            return .record(.truncate(from: readLE64(bytes, p + 1)), end: p + length)
        case startType, snapshotType:
            let what = bytes[p] == startType ? "start" : "snapshot"
            guard length == startSize else {
                return .bad(reason: "\(what) record of length \(length), expected \(startSize)", checksumValid: true)
            }
            let point = SnapshotMetadata(index: readLE64(bytes, p + 1), term: readLE64(bytes, p + 9))
            return .record(bytes[p] == startType ? .start(after: point) : .snapshot(point), end: p + length)
        default:
            return .bad(reason: "unknown record type \(bytes[p])", checksumValid: true)
        }
    }

    /// Whether a well-formed record starts anywhere after `offset`: a bad record followed by a
    /// good one is corruption in the middle, not a torn tail.
    static func validRecordExists(in bytes: [UInt8], after offset: Int) -> Bool {
        var p = offset + 1
        while p + headerSize + truncateSize <= bytes.count {
            // Cheap filters first; the checksum only for plausible frames.
            let length = Int(readLE32(bytes, p))
            let type = bytes[p + headerSize]
            let plausible: Bool
            switch type {
            case entryType: plausible = length >= entryFixedSize && length <= bytes.count - p - headerSize
            case truncateType: plausible = length == truncateSize
            case startType, snapshotType: plausible = length == startSize && length <= bytes.count - p - headerSize
            default: plausible = false
            }
            if plausible, case .record = decode(bytes, at: p) { return true }
            p += 1
        }
        return false
    }
}

func appendLE(_ value: UInt64, to buffer: inout [UInt8]) {
    for shift in stride(from: 0, to: 64, by: 8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
}

func appendLE(_ value: UInt32, to buffer: inout [UInt8]) {
    for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
}

func putLE(_ value: UInt32, into buffer: inout [UInt8], at offset: Int) {
    for i in 0..<4 { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
}

func readLE32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    var v: UInt32 = 0
    for i in 0..<4 { v |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
    return v
}

func readLE64(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
    return v
}
