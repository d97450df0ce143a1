import Checksum
import RaftCore

/// A snapshot file, `snap/<index>.snap` (the index zero-padded to 20 digits): the snapshot's
/// metadata and the state machine's bytes, with a CRC. Written atomically (a temporary file, fsync,
/// rename, fsync of the directory), so a crash leaves either the whole file or none.
///
/// Layout (little-endian): `"RAFTSNAP"` | u32 format version (2) | u64 index | u64 term |
/// u32 voter count, then a u64 per voter | u32 learner count, then a u64 per learner |
/// u64 log hash (`SnapshotMetadata.logHash`) | u64 data length | data | u32 CRC-32C of everything
/// before it. Version 1 files (no log hash) are still read, with a log hash of 0 (not known).
enum SnapshotFile {
    static let magic: [UInt8] = Array("RAFTSNAP".utf8)
    static let formatVersion: UInt32 = 2
    static let suffix = ".snap"

    /// The file name of the snapshot at `index`.
    static func name(_ index: LogIndex) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The index a snapshot file name stands for, nil for any other name.
    static func index(_ name: String) -> LogIndex? {
        guard name.utf8.count == 20 + suffix.utf8.count, name.hasSuffix(suffix) else { return nil }
        let digits = name.prefix(20)
        guard digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return LogIndex(digits)
    }

    static func encode(_ s: Snapshot) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(64 + 8 * s.metadata.membership.count + s.data.count)
        appendLE(formatVersion, to: &bytes)
        appendLE(s.metadata.index, to: &bytes)
        appendLE(s.metadata.term, to: &bytes)
        for ids in [s.metadata.membership.voters, s.metadata.membership.learners] {
            appendLE(UInt32(ids.count), to: &bytes)
            for id in ids { appendLE(id, to: &bytes) }
        }
        appendLE(s.metadata.logHash, to: &bytes)
        appendLE(UInt64(s.data.count), to: &bytes)
        bytes.append(contentsOf: s.data)
        appendLE(CRC32C.checksum(bytes), to: &bytes)
        return bytes
    }

    /// The snapshot in `bytes`, or why they are not one (the text names `path`).
    static func decode(_ bytes: [UInt8], path: String) throws(StorageError) -> Snapshot {
        func bad(_ why: String) -> StorageError {
            StorageError(message: "snapshot file \(path) is corrupt: \(why)", path: path)
        }
        let fixed = magic.count + 4 + 8 + 8 + 4 + 4 + 8 + 4
        guard bytes.count >= fixed else { throw bad("it has \(bytes.count) bytes, fewer than the \(fixed) of an empty snapshot") }
        guard Array(bytes[0..<magic.count]) == magic else { throw bad("bad magic number") }
        let end = bytes.count - 4
        guard CRC32C.checksum(bytes[0..<end]) == readLE32(bytes, end) else { throw bad("checksum mismatch") }
        var p = magic.count
        let version = readLE32(bytes, p)
        guard version == 1 || version == formatVersion else {
            throw bad("format version \(version), this build reads versions 1 and \(formatVersion)")
        }
        p += 4
        let index = readLE64(bytes, p), term = readLE64(bytes, p + 8)
        p += 16
        var lists: [[NodeID]] = []
        for what in ["voters", "learners"] {
            guard end - p >= 4 else { throw bad("it ends inside the \(what)") }
            let n = Int(readLE32(bytes, p))
            p += 4
            guard n <= (end - p) / 8 else { throw bad("\(n) \(what) do not fit in the file") }
            let ids = (0..<n).map { readLE64(bytes, p + 8 * $0) }
            guard zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) else { throw bad("\(what) are not in ascending order") }
            lists.append(ids)
            p += 8 * n
        }
        var logHash: UInt64 = 0
        if version >= 2 {
            guard end - p >= 8 else { throw bad("it ends before the log hash") }
            logHash = readLE64(bytes, p)
            p += 8
        }
        guard end - p >= 8 else { throw bad("it ends before the data length") }
        let length = readLE64(bytes, p)
        p += 8
        guard length == UInt64(end - p) else { throw bad("the data length \(length) does not match the \(end - p) bytes there") }
        return Snapshot(metadata: SnapshotMetadata(index: index, term: term,
                                                   membership: Membership(voters: lists[0], learners: lists[1]),
                                                   logHash: logHash),
                        data: Array(bytes[p..<end]))
    }
}
