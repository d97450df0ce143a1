import RaftCore

/// The snapshot of a `KVStore`: everything a replica needs to continue from the index it was taken
/// at, client sessions included (so that exactly-once survives compaction).
///
/// Layout (integers little-endian; a string is a u32 UTF-8 byte count and the bytes):
///
/// | bytes | field |
/// |---|---|
/// | 4 | magic "KVSN" |
/// | 1 | format version, `KVStore.snapshotVersion` (1) |
/// | 8 | applied index |
/// | 8 × 4 | counters: undecodable, stale, expired entries; expired sessions |
/// | 4 | key count, then per key in ascending order: key string, value string |
/// | 4 | session count, then per client in ascending order: client u64, start u64, seq u64, index u64, |
/// |   | lastActive u64, result tag u8 (0 ok, 1 absent value, 2 value, 3 cas failed on absent, 4 cas |
/// |   | failed), then for tags 2 and 4 the value string |
/// | 8 | FNV-1a 64 of every byte before it |
///
/// The encoding is canonical (one state, one byte string). Decoding checks everything and never traps.
extension KVStore {
    /// The format version `snapshot()` writes and `init(snapshot:sessionTTL:)` reads.
    public static let snapshotVersion: UInt8 = 1
    static let snapshotMagic: [UInt8] = Array("KVSN".utf8)

    /// The store's state as bytes (see the extension's description).
    public func snapshot() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.reserveCapacity(64 + data.reduce(0) { $0 + 8 + $1.key.utf8.count + $1.value.utf8.count }
                                + sessions.count * 50)
        w.bytes.append(contentsOf: Self.snapshotMagic)
        w.u8(Self.snapshotVersion)
        w.u64(appliedIndex)
        for counter in [undecodableEntries, staleEntries, expiredEntries, expiredSessions] {
            w.u64(UInt64(counter))
        }
        encodeState(into: &w)
        var h = FNV1a()
        for b in w.bytes { h.byte(b) }
        w.u64(h.value)
        return w.bytes
    }

    /// The store a snapshot describes, with sessions expiring after `sessionTTL` idle entries.
    /// Throws on anything but the exact output of `snapshot()` (a changed byte, a truncation, keys
    /// or clients out of order or repeated, trailing bytes).
    public init(snapshot bytes: [UInt8], sessionTTL: LogIndex = KVStore.defaultSessionTTL) throws(KVSnapshotError) {
        self.init(sessionTTL: sessionTTL)
        let headerBytes = Self.snapshotMagic.count + 1
        guard bytes.count >= headerBytes + 8 else { throw .malformed("\(bytes.count) bytes is too short") }
        guard bytes.starts(with: Self.snapshotMagic) else { throw .badMagic }
        let version = bytes[Self.snapshotMagic.count]
        guard version == Self.snapshotVersion else { throw .unsupportedVersion(version) }
        var h = FNV1a()
        for b in bytes[..<(bytes.count - 8)] { h.byte(b) }
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[bytes.count - 8 + i]) << UInt64(8 * i) }
        guard h.value == stored else { throw .checksumMismatch }

        var r = ByteReader(Array(bytes[headerBytes ..< (bytes.count - 8)]))
        do {
            appliedIndex = try r.u64()
            var counters: [Int] = []
            for _ in 0..<4 {
                let c = try r.u64()
                guard c <= UInt64(Int.max) else { throw KVSnapshotError.malformed("counter \(c) out of range") }
                counters.append(Int(c))
            }
            (undecodableEntries, staleEntries, expiredEntries, expiredSessions) = (counters[0], counters[1], counters[2], counters[3])
            let keyCount = try r.u32()
            guard UInt64(keyCount) * 8 <= UInt64(r.remaining) else { throw KVSnapshotError.malformed("key count \(keyCount) exceeds the data") }
            var previous: String?
            reserveKeys(Int(keyCount))
            for _ in 0..<keyCount {
                let key = try r.string()
                let value = try r.string()
                if let p = previous, !(p < key) { throw KVSnapshotError.malformed("keys out of order at \(String(reflecting: key))") }
                previous = key
                set(key, to: value)
            }
            let sessionCount = try r.u32()
            guard UInt64(sessionCount) * 41 <= UInt64(r.remaining) else {
                throw KVSnapshotError.malformed("session count \(sessionCount) exceeds the data")
            }
            var previousClient: ClientID?
            for _ in 0..<sessionCount {
                let client = try r.u64()
                if let p = previousClient, p >= client { throw KVSnapshotError.malformed("clients out of order at \(client)") }
                previousClient = client
                let start = try r.u64(), seq = try r.u64(), index = try r.u64(), lastActive = try r.u64()
                let tag = try r.u8()
                let value = KVResult.tagCarriesValue(tag) ? try r.string() : nil
                guard let result = KVResult(tag: tag, value: value) else {
                    throw KVSnapshotError.malformed("unknown result tag \(tag) of client \(client)")
                }
                setSession(ClientSession(start: start, seq: seq, result: result, index: index, lastActive: lastActive),
                           for: client)
            }
            guard r.remaining == 0 else { throw KVSnapshotError.malformed("\(r.remaining) bytes after the last session") }
        } catch let error as KVSnapshotError {
            throw error
        } catch let error as CommandDecodingError {
            throw .malformed(error.description)
        } catch {
            throw .malformed("\(error)")
        }
    }
}
