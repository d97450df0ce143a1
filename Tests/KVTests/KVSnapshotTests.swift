import KV
import RaftCore
import Testing

/// The store's snapshot: everything (keys, sessions with their results and activity, counters)
/// survives a round trip, a replica that continues from a snapshot ends where one that applied
/// every entry does, and any damage is refused without a trap.
@Suite("KVStore snapshots")
struct KVSnapshotTests {
    /// Entries of a small workload: clients 1...5 (client 5 stops early, so its session expires under
    /// a short TTL), puts, appends, cas, deletes, a repeat, a stale write, a noop and garbage.
    private static func workload(count: Int = 120) -> [Entry] {
        var rng = SplitMix64(seed: 0x5EED)
        var seqs: [ClientID: UInt64] = [:]
        var entries: [Entry] = []
        for i in 1...count {
            let index = LogIndex(i)
            if i % 17 == 0 { entries.append(Entry(term: 1, index: index, kind: .noop)); continue }
            if i % 29 == 0 { entries.append(Entry(term: 1, index: index, data: [0xFF, 0x00])); continue }
            let client = ClientID(i < 40 ? 1 + rng.next() % 5 : 1 + rng.next() % 4)
            let key = ["x", "y", "ключ", "e\u{301}", ""][Int(rng.next() % 5)]
            let op: KVOperation
            switch rng.next() % 5 {
            case 0: op = .put(key: key, value: "v\(i)")
            case 1: op = .append(key: key, value: "+\(i)")
            case 2: op = .cas(key: key, from: "v\(i - 1)", to: "c\(i)")
            case 3: op = .delete(key: key)
            default: op = .get(key: key)
            }
            var seq = seqs[client, default: 0] + 1
            if i % 23 == 0 { seq -= 1 }  // a repeat of the last write (or a stale one when at 0)
            seqs[client] = max(seqs[client, default: 0], seq)
            entries.append(Entry(term: 1, index: index, data: Command(client: client, seq: seq, op: op).encode()))
        }
        return entries
    }

    private func store(_ entries: some Sequence<Entry>, ttl: LogIndex = 64) -> KVStore {
        var s = KVStore(sessionTTL: ttl)
        for e in entries { _ = s.apply(e) }
        return s
    }

    @Test("a snapshot holds the whole state and decodes to it; the encoding is canonical")
    func roundTrip() throws {
        let original = store(Self.workload())
        #expect(original.keys.count >= 3 && original.clients.count >= 3)
        #expect(original.undecodableEntries > 0 && original.expiredSessions > 0)
        let bytes = original.snapshot()
        let restored = try KVStore(snapshot: bytes, sessionTTL: 64)
        #expect(restored.digest == original.digest)
        #expect(restored.items.map(\.key) == original.items.map(\.key) && restored.items.map(\.value) == original.items.map(\.value))
        #expect(restored.clients == original.clients)
        for c in original.clients { #expect(restored.session(client: c) == original.session(client: c)) }
        #expect(restored.appliedIndex == original.appliedIndex)
        #expect(restored.undecodableEntries == original.undecodableEntries && restored.staleEntries == original.staleEntries)
        #expect(restored.expiredEntries == original.expiredEntries && restored.expiredSessions == original.expiredSessions)
        #expect(restored.snapshot() == bytes)
        // An empty store too.
        #expect(try KVStore(snapshot: KVStore().snapshot()).digest == KVStore().digest)
    }

    @Test("a replica that continues from a snapshot ends exactly where one that applied everything does",
          arguments: [1, 16, 39, 40, 64, 100, 119])
    func continuing(from cut: Int) throws {
        let entries = Self.workload()
        let full = store(entries)
        var resumed = try KVStore(snapshot: store(entries[..<cut]).snapshot(), sessionTTL: 64)
        var results: [AppliedCommand?] = []
        var expected: [AppliedCommand?] = []
        var reference = store(entries[..<cut])
        for e in entries[cut...] {
            results.append(resumed.apply(e))
            expected.append(reference.apply(e))
        }
        #expect(results == expected, "same results, repeats and expiries included")
        #expect(resumed.snapshot() == full.snapshot())
    }

    @Test("a retried write after a snapshot still applies once")
    func exactlyOnceAcrossASnapshot() throws {
        var store = KVStore()
        let write = Command(client: 4, seq: 1, op: .append(key: "log", value: "once"))
        _ = store.apply(entry(1, write))
        var restored = try KVStore(snapshot: store.snapshot())
        let applied = restored.apply(entry(2, write, term: 2))
        let again = try #require(applied)
        #expect(again.duplicate && again.result == .ok)
        #expect(restored.get("log") == "once")
    }

    @Test("every truncation and every changed byte is refused, never trapping")
    func damage() throws {
        let bytes = store(Self.workload(count: 60)).snapshot()
        for n in 0..<bytes.count {
            #expect(throws: KVSnapshotError.self, "prefix of \(n) bytes") { try KVStore(snapshot: Array(bytes[..<n])) }
        }
        for i in stride(from: 0, to: bytes.count, by: 1) {
            var bad = bytes
            bad[i] ^= 0x5A
            #expect(throws: KVSnapshotError.self, "byte \(i) changed") { try KVStore(snapshot: bad) }
        }
        #expect(throws: KVSnapshotError.malformed("8 bytes is too short")) { try KVStore(snapshot: Array(bytes[..<8])) }
        var magic = bytes
        magic[0] = 0x41
        #expect(throws: KVSnapshotError.badMagic) { try KVStore(snapshot: magic) }
        var version = bytes
        version[4] = 9
        #expect(throws: KVSnapshotError.unsupportedVersion(9)) { try KVStore(snapshot: version) }
        var flipped = bytes
        flipped[20] ^= 1
        #expect(throws: KVSnapshotError.checksumMismatch) { try KVStore(snapshot: flipped) }
    }

    /// `body` (everything after the version byte) framed with a valid header and checksum.
    private func framed(_ body: [UInt8]) -> [UInt8] {
        var bytes = Array("KVSN".utf8) + [KVStore.snapshotVersion] + body
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: h >> UInt64(8 * i))) }
        return bytes
    }

    private func le(_ v: UInt64, _ n: Int = 8) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) } }
    private func str(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count), 4) + Array(s.utf8) }

    @Test("a well-checksummed snapshot whose content makes no sense is refused")
    func malformedContent() throws {
        let header = le(7) + le(0) + le(0) + le(0) + le(0)
        func session(_ client: ClientID, tag: UInt8 = 0) -> [UInt8] { le(client) + le(0) + le(1) + le(2) + le(2) + [tag] }
        let good = header + le(2, 4) + str("a") + str("1") + str("b") + str("2") + le(1, 4) + session(3)
        #expect(try KVStore(snapshot: framed(good)).get("b") == "2")
        let cases: [([UInt8], String)] = [
            (header + le(2, 4) + str("b") + str("2") + str("a") + str("1") + le(0, 4), "keys out of order"),
            (header + le(2, 4) + str("a") + str("1") + str("a") + str("2") + le(0, 4), "keys out of order"),
            (header + le(0, 4) + le(2, 4) + session(3) + session(3), "clients out of order"),
            (header + le(0, 4) + le(1, 4) + session(3, tag: 7), "unknown result tag 7"),
            (header + le(0xFFFF_FFFF, 4), "key count"),
            (header + le(0, 4) + le(0xFFFF_FFFF, 4), "session count"),
            (good + [0], "after the last session"),
            (header + le(1, 4) + le(0xFFFF, 4) + [0, 0, 0, 0], "truncated"),
            (header + le(1, 4) + [1, 0, 0, 0, 0xFF] + str("v") + le(0, 4), "UTF-8"),
            (le(1) + le(UInt64.max) + le(0) + le(0) + le(0) + le(0, 4) + le(0, 4), "out of range"),
        ]
        for (body, why) in cases {
            do {
                _ = try KVStore(snapshot: framed(body))
                Issue.record("accepted: \(why)")
            } catch {
                #expect(error.description.contains(why) || error.description.contains("truncated"), "\(why): \(error)")
            }
        }
    }
}
