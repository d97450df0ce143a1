import Checksum
import RaftCore

/// The `meta` file: which node of which cluster a data directory belongs to. Written once,
/// when the directory is created; a small text file so an operator can read it.
///
///     raftsh data directory
///     format 1
///     node 3
///     cluster abc
///     crc 1b2c3d4e
struct Meta: Equatable {
    static let formatVersion = 1
    static let title = "raftsh data directory"
    var nodeID: UInt64
    var clusterID: String

    var encoded: [UInt8] {
        let body = "\(Meta.title)\nformat \(Meta.formatVersion)\nnode \(nodeID)\ncluster \(clusterID)\n"
        let crc = CRC32C.checksum(Array(body.utf8))
        return Array((body + "crc \(hex(crc))\n").utf8)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> Meta {
        func bad(_ why: String) -> StorageError {
            StorageError(message: "meta file \(path) is not a valid raftsh meta file: \(why); refusing to start (nothing was modified)",
                         path: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw bad("it is not UTF-8 text") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 6, lines[5].isEmpty, lines[0] == title else { throw bad("unexpected layout") }
        func value(_ line: Substring, _ key: String) -> Substring? {
            line.hasPrefix(key + " ") ? line.dropFirst(key.count + 1) : nil
        }
        guard let format = value(lines[1], "format").flatMap({ Int($0) }) else { throw bad("no format line") }
        guard format == formatVersion else {
            throw bad("it has format version \(format) and this build reads version \(formatVersion)")
        }
        guard let node = value(lines[2], "node").flatMap({ UInt64($0) }) else { throw bad("no node line") }
        guard let cluster = value(lines[3], "cluster") else { throw bad("no cluster line") }
        guard let crcText = value(lines[4], "crc"), let crc = UInt32(crcText, radix: 16) else { throw bad("no crc line") }
        let bodyLength = lines[0...3].reduce(0) { $0 + $1.utf8.count + 1 }
        guard CRC32C.checksum(bytes[0..<bodyLength]) == crc else { throw bad("checksum mismatch") }
        return Meta(nodeID: node, clusterID: String(cluster))
    }
}

/// The `hardstate` file: `"RAFTHARD"`, u32 format version, u64 term, u64 vote, u64 commit,
/// u32 CRC-32C of everything before it; little-endian, 40 bytes.
enum HardStateFile {
    static let magic: [UInt8] = Array("RAFTHARD".utf8)
    static let formatVersion: UInt32 = 1
    static let size = 8 + 4 + 8 + 8 + 8 + 4

    static func encode(_ hs: HardState) -> [UInt8] {
        var bytes = magic
        appendLE(formatVersion, to: &bytes)
        appendLE(hs.term, to: &bytes)
        appendLE(hs.vote, to: &bytes)
        appendLE(hs.commit, to: &bytes)
        appendLE(CRC32C.checksum(bytes), to: &bytes)
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> HardState {
        func bad(_ why: String) -> StorageError {
            StorageError(message: "hard-state file \(path) is corrupt: \(why); refusing to start (nothing was modified)",
                         path: path)
        }
        guard bytes.count == size else { throw bad("it has \(bytes.count) bytes, expected \(size)") }
        guard Array(bytes[0..<8]) == magic else { throw bad("bad magic number") }
        guard CRC32C.checksum(bytes[0..<(size - 4)]) == readLE32(bytes, size - 4) else { throw bad("checksum mismatch") }
        let version = readLE32(bytes, 8)
        guard version == formatVersion else {
            throw bad("format version \(version), this build reads version \(formatVersion)")
        }
        return HardState(term: readLE64(bytes, 12), vote: readLE64(bytes, 20), commit: readLE64(bytes, 28))
    }
}

/// Segment files are `wal/000000000001.log`, `wal/000000000002.log`, ...
enum SegmentName {
    static func name(_ number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".log"
    }

    static func number(_ name: String) -> UInt64? {
        guard name.utf8.count == 16, name.hasSuffix(".log") else { return nil }
        let digits = name.prefix(12)
        guard digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(digits)
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
