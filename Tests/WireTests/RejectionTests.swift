import Checksum
import KV
import RaftCore
import Testing
@testable import Wire

/// The error `bytes` decode to, or nil if they decode.
func decodeError(_ bytes: [UInt8]) -> WireError? {
    if case .failure(let e) = decodeResult(bytes) { return e }
    return nil
}

/// Whether decoding fails as malformed with a reason containing `text`.
func isMalformed(_ bytes: [UInt8], _ text: String) -> Bool {
    guard case .malformed(let why)? = decodeError(bytes) else { return false }
    return text.isEmpty || why.contains(text)  // (Foundation's contains, visible through Wire, is false for "")
}

@Suite("Wire rejection of bad datagrams")
struct RejectionTests {
    /// A sample of valid encodings of every case, small enough to mutate exhaustively.
    static func samples(count: Int, seed: UInt64) -> [[UInt8]] {
        var gen = Gen(seed: seed, maxBytes: 24)
        return (0..<count).map { _ in WireCodec.encode(gen.wireMessage()) }
    }

    @Test("every truncation of a valid encoding throws")
    func truncations() {
        var failures: [(Int, Int)] = []
        var checked = 0
        let encodings = Self.samples(count: 400, seed: 11)
            + [WireCodec.encode(RoundTripTests.append(encodedSize: WireCodec.maxDatagramBytes))]
        for (n, bytes) in encodings.enumerated() {
            for length in 0..<bytes.count {
                let expected: WireError = length < WireCodec.frameOverhead ? .tooShort : .lengthMismatch
                if decodeError(Array(bytes[0..<length])) != expected { failures.append((n, length)) }
                checked += 1
            }
        }
        #expect(failures.isEmpty, "(sample, prefix length) accepted or misreported: \(failures.prefix(10))")
        #expect(checked > 50_000)
    }

    /// What a flip of `bit` in the valid datagram `bytes` must be reported as.
    static func expectedError(flipping bit: Int, of bytes: [UInt8]) -> WireError {
        switch bit / 8 {
        case 0, 1: return .badMagic
        case 2: return .unsupportedVersion(bytes[2] ^ UInt8(1 << (bit % 8)))
        case 4..<8: return .lengthMismatch
        default: return .checksumMismatch  // type, payload and the checksum itself
        }
    }

    @Test("a single-bit flip anywhere in a valid encoding throws")
    func bitFlips() {
        var failures: [(Int, Int)] = []
        var checked = 0
        for (n, bytes) in Self.samples(count: 150, seed: 12).enumerated() {
            for bit in 0..<(bytes.count * 8) {
                var flipped = bytes
                flipped[bit / 8] ^= UInt8(1 << (bit % 8))
                if decodeError(flipped) != Self.expectedError(flipping: bit, of: bytes) { failures.append((n, bit)) }
                checked += 1
            }
        }
        // And a sample of bits of the largest datagram.
        let large = WireCodec.encode(RoundTripTests.append(encodedSize: WireCodec.maxDatagramBytes))
        var rng = SplitMix64(seed: 13)
        for i in 0..<600 {
            let bit = i < 100 ? i : Int.random(in: 0..<(large.count * 8), using: &rng)
            var flipped = large
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            if decodeError(flipped) != Self.expectedError(flipping: bit, of: large) { failures.append((-1, bit)) }
            checked += 1
        }
        #expect(failures.isEmpty, "(sample, bit) not rejected as expected: \(failures.prefix(10))")
        #expect(checked > 50_000)
    }

    @Test("frame errors: too short, bad magic, version, type, length and checksum")
    func frameErrors() {
        let good = WireCodec.encode(.clientRequest(ClientRequest(client: 1, seq: 2, op: .get(key: "k"))))
        let body = payload(of: good)

        for n in 0..<WireCodec.frameOverhead {
            #expect(decodeError(Array(good.prefix(n))) == .tooShort)
        }
        #expect(decodeError([0x52, 0x46, 1, 1, 0, 0, 0, 0, 0, 0, 0]) == .tooShort)

        var magic = good
        magic[1] = 0x47
        #expect(decodeError(magic) == .badMagic)
        #expect(decodeError([UInt8](repeating: 0, count: 64)) == .badMagic)

        // Versions 1 to 4 (before sessions, snapshot chunks, the chunk's log hash, admin requests,
        // membership and storage syncs in status reports) are refused like any unknown version.
        for v: UInt8 in [0, 1, 2, 3, 4, 6, 255] {
            #expect(decodeError(WireCodec.frame(type: 2, payload: body, version: v)) == .unsupportedVersion(v))
        }
        for t: UInt8 in [0, 6, 7, 128, 255] {
            #expect(decodeError(WireCodec.frame(type: t, payload: body)) == .unknownType(t))
        }

        // Length field off by one either way, or huge, with a checksum that matches.
        for delta in [-1, 1, 1 << 20, Int(UInt32.max) - body.count] {
            var bytes = good
            patchU32(&bytes, at: 4, UInt32(body.count + delta))
            patchU32(&bytes, at: bytes.count - 4, CRC32C.checksum(bytes[..<(bytes.count - 4)]))
            #expect(decodeError(bytes) == .lengthMismatch, "delta \(delta)")
        }
        // Bytes after the checksum, or a datagram cut short.
        #expect(decodeError(good + [0]) == .lengthMismatch)
        #expect(decodeError(Array(good.dropLast())) == .lengthMismatch)

        var crc = good
        crc[crc.count - 1] ^= 0x80
        #expect(decodeError(crc) == .checksumMismatch)
        var type = good
        type[3] = 9  // a changed type byte is caught by the checksum first
        #expect(decodeError(type) == .checksumMismatch)
    }

    @Test("payload errors in an intact frame: truncated, trailing bytes, bad booleans and tags")
    func payloadErrors() throws {
        let raft = WireCodec.encode(.raft(Message(kind: .append, from: 1, to: 2, term: 3,
                                                  entries: [Entry(term: 3, index: 1, data: [9, 9])])))
        let body = payload(of: raft)
        #expect(isMalformed(reframe(raft, payload: body + [0]), "trailing"))
        #expect(isMalformed(reframe(raft, payload: body + [UInt8](repeating: 0, count: 100)), "trailing"))
        for n in 0..<body.count {
            // "payload ends inside …", or a count that exceeds what is left
            #expect(isMalformed(reframe(raft, payload: Array(body.prefix(n))), ""), "prefix \(n)")
        }

        // Raft payload offsets: kind 0, reject 49, entry count 66, first entry kind 86, its data length 87.
        var p = body
        p[0] = 200
        #expect(isMalformed(reframe(raft, payload: p), "unknown message kind 200"))
        p = body
        p[49] = 2
        #expect(isMalformed(reframe(raft, payload: p), "reject is 2"))
        p = body
        p[86] = 3
        #expect(isMalformed(reframe(raft, payload: p), "unknown entry kind 3"))

        func tagged(_ m: WireMessage, at offset: Int, _ value: UInt8, _ text: String) -> Bool {
            let bytes = WireCodec.encode(m)
            var p = payload(of: bytes)
            p[offset] = value
            return isMalformed(reframe(bytes, payload: p), text)
        }
        let request = WireMessage.clientRequest(ClientRequest(client: 1, seq: 2, op: .delete(key: "k")))
        #expect(tagged(request, at: 24, 6, "unknown operation tag 6"))
        let admin = WireMessage.clientRequest(ClientRequest(client: 1, seq: 2, admin: .transfer(to: 3)))
        #expect(tagged(admin, at: 25, 4, "unknown admin tag 4"))
        let reply = WireMessage.clientReply(ClientReply(client: 1, seq: 2, outcome: .done(.ok)))
        #expect(tagged(reply, at: 24, 4, "unknown outcome tag 4"))
        #expect(tagged(reply, at: 25, 6, "unknown result tag 6"))
        // Control: id 8 bytes, key length 4 + 0 bytes, then the tag.
        #expect(tagged(.control(.heal, id: 1, key: []), at: 12, 9, "unknown control tag 9"))
        #expect(tagged(.controlReply(.ok, id: 1), at: 8, 6, "unknown control reply tag 6"))
        #expect(tagged(.controlReply(.localValue("v"), id: 1), at: 9, 2, "value present is 2"))
        let report = NodeReport(id: 1, role: .leader, term: 2, leader: 1, commit: 3, applied: 3, lastIndex: 3,
                                lastTerm: 2, digest: 0, droppedMalformed: 0, droppedUnknown: 0)
        // Report: reply tag at 8, node id 9..<17, role 17.
        for role: UInt8 in [4, 5, 255] {
            #expect(tagged(.controlReply(.status(report), id: 1), at: 17, role, "unknown role \(role)"))
        }
        for (raw, role) in [(0, Role.follower), (1, .preCandidate), (2, .candidate), (3, .leader)] {
            let bytes = WireCodec.encode(.controlReply(.status(report), id: 1))
            var p = payload(of: bytes)
            p[17] = UInt8(raw)
            var expected = report
            expected.role = role
            #expect(try WireCodec.decode(reframe(bytes, payload: p)) == .controlReply(.status(expected), id: 1))
        }
    }

    @Test("a status report of the version-1 shape, or cut anywhere, is rejected as malformed")
    func shortReports() throws {
        var report = NodeReport(id: 1, role: .leader, term: 2, leader: 1, commit: 3, applied: 3, lastIndex: 4,
                                lastTerm: 2, digest: 5, droppedMalformed: 0, droppedUnknown: 0, vote: 1,
                                firstIndex: 1, commitTerm: 2, commitHash: 6, lastHash: 7, incarnation: 8,
                                raftSent: 9, raftReceived: 10, droppedByFaults: 11)
        report.logSyncs = 12
        let bytes = WireCodec.encode(.controlReply(.status(report), id: 1))
        let body = payload(of: bytes)
        // Reply id 8, tag 1, then 11 version-1 fields (one of them the role byte), 9 u64 fields of
        // version 2, then version 4's snapshot counters (3 u64) and membership (two empty id lists,
        // then two u64), then version 5's log syncs (u64).
        #expect(body.count == 8 + 1 + 8 * 10 + 1 + 8 * 9 + 8 * 3 + 4 + 4 + 8 + 8 + 8)
        let versionOneShape = Array(body.dropLast(8 + 8 * 9 + 8 * 3 + 24))
        #expect(isMalformed(reframe(bytes, payload: Array(body.dropLast(8))), "logSyncs"))
        #expect(isMalformed(reframe(bytes, payload: Array(body.dropLast(8 + 24))), "peers"))
        #expect(isMalformed(reframe(bytes, payload: Array(body.dropLast(8 + 24 + 8 * 3))), "snapshotsTaken"))
        #expect(isMalformed(reframe(bytes, payload: versionOneShape), "vote"))
        for n in 0..<body.count {
            #expect(decodeError(reframe(bytes, payload: Array(body.prefix(n)))) != nil, "cut at \(n)")
        }
        #expect(isMalformed(reframe(bytes, payload: body + [0]), "trailing"))
        #expect(try WireCodec.decode(bytes) == .controlReply(.status(report), id: 1))
    }

    @Test("counts and lengths larger than what remains are rejected, not allocated")
    func lengths() throws {
        var w = WireWriter()
        w.message(Message(kind: .append, from: 1, to: 2, term: 3))
        let prefix = Array(w.bytes.dropLast(5))  // everything up to the entry count (then the snapshot flag)
        func appendWith(count: UInt32, then rest: [UInt8]) -> [UInt8] {
            var x = WireWriter()
            x.u32(count)
            return WireCodec.frame(type: 1, payload: prefix + x.bytes + rest)
        }
        for n: UInt32 in [1, 2, 1000, 0x7FFF_FFFF, .max] {
            #expect(isMalformed(appendWith(count: n, then: []), "count of entries (\(n)) exceeds"))
        }
        // 20 bytes left: too few for even one entry (21 bytes); 42 bytes: room for 2, not 3.
        #expect(isMalformed(appendWith(count: 1, then: [UInt8](repeating: 0, count: 20)), "count of entries"))
        #expect(isMalformed(appendWith(count: 3, then: [UInt8](repeating: 0, count: 42)), "count of entries"))
        #expect(decodeError(appendWith(count: 2, then: [UInt8](repeating: 0, count: 42) + [0])) == nil)

        // An entry's data length beyond the payload.
        for n: UInt32 in [3, 100, .max] {
            var e = WireWriter()
            e.u64(1)
            e.u64(1)
            e.u8(0)
            e.u32(n)
            #expect(isMalformed(appendWith(count: 1, then: e.bytes + [7, 7]), "count of entry data (\(n)) exceeds"))
        }

        // A key length beyond the payload.
        func request(keyLength: UInt32, _ key: [UInt8]) -> [UInt8] {
            var x = WireWriter()
            x.u64(1)
            x.u64(2)
            x.u64(3)
            x.u8(1)  // get
            x.u32(keyLength)
            return WireCodec.frame(type: 2, payload: x.bytes + key)
        }
        #expect(try WireCodec.decode(request(keyLength: 2, [0x61, 0x62]))
                == .clientRequest(ClientRequest(client: 1, seq: 2, session: 3, op: .get(key: "ab"))))
        for n: UInt32 in [3, 0x8000_0000, .max] {
            #expect(isMalformed(request(keyLength: n, [0x61, 0x62]), "count of key (\(n)) exceeds"))
        }
        #expect(isMalformed(request(keyLength: 1, [0x61, 0x62]), "trailing"))

        // Peers: 8 bytes each.
        var c = WireWriter()
        c.u64(1)
        c.byteString([])
        c.u8(1)  // cut
        c.u32(2)
        #expect(isMalformed(WireCodec.frame(type: 4, payload: c.bytes + [UInt8](repeating: 0, count: 15)), "count of peers"))
        #expect(try WireCodec.decode(WireCodec.frame(type: 4, payload: c.bytes + [UInt8](repeating: 0, count: 16)))
                == .control(.cut(peers: [0, 0]), id: 1, key: []))
        // The cluster key's length.
        var k = WireWriter()
        k.u64(1)
        k.u32(.max)
        #expect(isMalformed(WireCodec.frame(type: 4, payload: k.bytes + [0]), "count of cluster key"))
    }

    @Test("strings must be well-formed UTF-8", arguments: [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80],  // stray, overlong
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],                                                    // surrogates
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],                        // above U+10FFFF
        [0xE2, 0x82], [0xF0, 0x9F, 0x90], [0x61, 0xC3], [0xC3, 0x61],                              // cut short
    ] as [[UInt8]])
    func utf8(_ bad: [UInt8]) {
        // In a client request's key and value, a reply's value and failure text, a control key
        // lookup, a local value and an error.
        func string(_ s: [UInt8]) -> [UInt8] {
            var w = WireWriter()
            w.count(s.count)
            return w.bytes + s
        }
        let ok = string(Array("ok".utf8))
        let cases: [(UInt8, [UInt8])] = [
            (2, [1, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 0, 0] + [0] + string(bad) + ok),
            (2, [1, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 0, 0] + [0] + ok + string(bad)),
            (2, [UInt8](repeating: 0, count: 24) + [1] + string(bad)),
            (3, [UInt8](repeating: 0, count: 24) + [0, 2] + string(bad)),
            (3, [UInt8](repeating: 0, count: 24) + [2] + string(bad)),
            (4, [UInt8](repeating: 0, count: 12) + [5] + string(bad)),
            (5, [UInt8](repeating: 0, count: 8) + [2, 1] + string(bad)),
            (5, [UInt8](repeating: 0, count: 8) + [4] + string(bad)),
        ]
        for (type, body) in cases {
            #expect(isMalformed(WireCodec.frame(type: type, payload: body), "not valid UTF-8"), "type \(type)")
        }
        // The same bytes are fine where raw bytes are expected: entry data and the cluster key.
        #expect(throws: Never.self) {
            try WireCodec.decode(WireCodec.frame(type: 4, payload: [UInt8](repeating: 0, count: 8) + string(bad) + [4]))
        }
    }

    @Test("snapshot chunks: the presence flag, ascending members and the data length are checked")
    func snapshotChunks() throws {
        let chunk = SnapshotChunk(metadata: SnapshotMetadata(index: 9, term: 2, membership: Membership(voters: [1, 2], learners: [])),
                                  offset: 3, data: [7, 7, 7], done: true)
        let good = WireMessage.raft(Message(kind: .snapshot, from: 1, to: 2, term: 3, snapshot: chunk))
        #expect(try WireCodec.decode(WireCodec.encode(good)) == good)
        let plain = WireCodec.encode(.raft(Message(kind: .snapshot, from: 1, to: 2, term: 3)))
        let p = payload(of: plain)
        // The presence flag is the last byte of a message without a chunk.
        var flag = p
        flag[flag.count - 1] = 2
        #expect(isMalformed(reframe(plain, payload: flag), "snapshot present is 2"))
        flag[flag.count - 1] = 1
        #expect(isMalformed(reframe(plain, payload: flag), "payload ends inside snapshot index"))

        func withChunk(voters: [UInt64], learners: [UInt64] = [], dataLength: UInt32 = 1, data: [UInt8] = [5]) -> [UInt8] {
            var w = WireWriter()
            w.bool(true)
            w.u64(9)
            w.u64(2)
            w.count(voters.count)
            for v in voters { w.u64(v) }
            w.count(learners.count)
            for l in learners { w.u64(l) }
            w.u64(0xfeed)  // the log hash
            w.u64(0)
            w.bool(false)
            w.u32(dataLength)
            return reframe(plain, payload: p.dropLast() + w.bytes + data)
        }
        #expect(try WireCodec.decode(withChunk(voters: [1, 2, 3], learners: [4])) != nil)
        #expect(isMalformed(withChunk(voters: [2, 1]), "voters not in ascending order"))
        #expect(isMalformed(withChunk(voters: [1, 1]), "voters not in ascending order"))
        #expect(isMalformed(withChunk(voters: [1], learners: [5, 4]), "learners not in ascending order"))
        #expect(isMalformed(withChunk(voters: [1], dataLength: 2), "count of snapshot data (2) exceeds"))
        #expect(isMalformed(withChunk(voters: [1], dataLength: .max), "count of snapshot data"))
        #expect(isMalformed(withChunk(voters: [1], dataLength: 0), "trailing"))
    }
}
