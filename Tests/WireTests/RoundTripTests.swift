import Checksum
import KV
import RaftCore
import Testing
@testable import Wire

@Suite("Wire round trips")
struct RoundTripTests {
    static let iterations = 3000

    @Test("raft messages of every kind, with empty and non-empty entry lists")
    func raftMessages() {
        var gen = Gen(seed: 1)
        var failures: [Message] = []
        var withEntries = 0
        for i in 0..<Self.iterations {
            let kind = Message.Kind.allCases[i % Message.Kind.allCases.count]
            let m = gen.message(kind: kind)
            if !m.entries.isEmpty { withEntries += 1 }
            if !roundTrips(.raft(m)) { failures.append(m) }
        }
        #expect(failures.isEmpty, "first failure: \(String(describing: failures.first))")
        #expect(withEntries > Self.iterations / 2 && withEntries < Self.iterations)
    }

    @Test("client requests: put, get and delete with unicode keys and values")
    func clientRequests() {
        var gen = Gen(seed: 2)
        var failures: [ClientRequest] = []
        for _ in 0..<Self.iterations {
            let r = gen.clientRequest()
            if !roundTrips(.clientRequest(r)) { failures.append(r) }
        }
        #expect(failures.isEmpty, "first failure: \(String(describing: failures.first))")
    }

    @Test("client replies: every outcome, nil and present values")
    func clientReplies() {
        var gen = Gen(seed: 3)
        var failures: [ClientReply] = []
        for _ in 0..<Self.iterations {
            let r = gen.clientReply()
            if !roundTrips(.clientReply(r)) { failures.append(r) }
        }
        #expect(failures.isEmpty, "first failure: \(String(describing: failures.first))")
    }

    @Test("control requests of every kind, with ids and keys")
    func controlRequests() {
        var gen = Gen(seed: 4)
        var failures: [WireMessage] = []
        for _ in 0..<Self.iterations {
            let m = WireMessage.control(gen.controlRequest(), id: gen.u64(), key: gen.key())
            if !roundTrips(m) { failures.append(m) }
        }
        #expect(failures.isEmpty, "first failure: \(String(describing: failures.first))")
    }

    @Test("control replies of every kind, and node reports in every role")
    func controlReplies() {
        var gen = Gen(seed: 5)
        var failures: [WireMessage] = []
        for i in 0..<Self.iterations {
            let reply: ControlReply = i % 4 == 0
                ? .status(gen.report(role: Role.allCases[(i / 4) % Role.allCases.count]))
                : gen.controlReply()
            let m = WireMessage.controlReply(reply, id: gen.u64())
            if !roundTrips(m) { failures.append(m) }
        }
        #expect(failures.isEmpty, "first failure: \(String(describing: failures.first))")
    }

    @Test("hand-picked edge values of every case")
    func edgeCases() {
        let big = Entry(term: .max, index: .max, kind: .config, data: [UInt8](repeating: 0xAB, count: 4000))
        let samples: [WireMessage] = Message.Kind.allCases.map {
            .raft(Message(kind: $0, from: 0, to: 0, term: 0))
        } + [
            .raft(Message(kind: .append, from: .max, to: .max, term: .max, logTerm: .max, index: .max,
                          commit: .max, entries: [big, Entry(term: 1, index: 2, kind: .noop)],
                          reject: true, rejectHint: .max, context: .max)),
            .raft(Message(kind: .append, from: 1, to: 2, term: 3,
                          entries: (1...500).map { Entry(term: 3, index: $0, data: [UInt8($0 % 256)]) })),
            .raft(Message(kind: .snapshot, from: 1, to: 2, term: 3,
                          snapshot: SnapshotChunk(metadata: SnapshotMetadata(index: .max, term: 3,
                                                                             membership: Membership(voters: [1, 2, 3], learners: [9])),
                                                  offset: 7, data: [0, 1, 255], done: true))),
            .raft(Message(kind: .snapshot, from: 1, to: 2, term: 3,
                          snapshot: SnapshotChunk(metadata: SnapshotMetadata(index: 5, term: 2), offset: .max,
                                                  data: [UInt8](repeating: 0xAB, count: 60_000), done: false))),
            .raft(Message(kind: .snapshotResponse, from: 2, to: 1, term: 3, reject: true,
                          snapshot: SnapshotChunk(metadata: SnapshotMetadata(index: 5, term: 2), offset: 0))),
            .clientRequest(ClientRequest(client: 0, seq: 0, op: .put(key: "", value: ""))),
            .clientRequest(ClientRequest(client: .max, seq: .max, op: .put(key: "ключ", value: "значение 🔑"))),
            .clientRequest(ClientRequest(client: 3, seq: 4, session: ClientRequest.noSession, op: .append(key: "k", value: "v"))),
            .clientRequest(ClientRequest(client: 1, seq: 1, op: .get(key: "e\u{301}"))),
            .clientRequest(ClientRequest(client: 1, seq: 2, op: .delete(key: "\0"))),
            .clientRequest(ClientRequest(client: 1, seq: 3, admin: .change(.addLearner(6)))),
            .clientRequest(ClientRequest(client: 1, seq: 4, admin: .change(.addVoter(.max)))),
            .clientRequest(ClientRequest(client: .max, seq: .max, admin: .change(.remove(1)))),
            .clientRequest(ClientRequest(client: 1, seq: 5, admin: .transfer(to: 2))),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .done(.ok), index: 7)),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .done(.value(nil)))),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .done(.value("")))),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .done(.value("日本語")))),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .notLeader(leader: noNode))),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .failed("proposal too large"))),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .sessionExpired(session: ClientRequest.noSession), index: 9)),
            .clientReply(ClientReply(client: 1, seq: 2, outcome: .sessionExpired(session: 17), index: 900)),
            .control(.status, id: 0, key: []),
            .control(.cut(peers: []), id: 1, key: [1, 2, 3]),
            .control(.cut(peers: [2, 3, .max]), id: 1, key: Array("secret".utf8)),
            .control(.blockOutgoing(to: [4]), id: .max, key: [0]),
            .control(.setFaults(peer: 0, lossPPM: .max, duplicatePPM: 0, delayMinNanos: 1, delayMaxNanos: .max),
                     id: 9, key: [0xFF]),
            .control(.heal, id: 2, key: []),
            .control(.localGet(key: "🐢"), id: 3, key: []),
            .control(.logTail(count: .max), id: 4, key: []),
            .control(.setPeer(node: 6, address: "127.0.0.1:7006"), id: 5, key: []),
            .controlReply(.status(NodeReport(id: 4, role: .follower, term: 2, leader: 1, commit: 9, applied: 9,
                                             lastIndex: 10, lastTerm: 2, digest: 1, droppedMalformed: 0, droppedUnknown: 0)
                                    .withMembership(Membership(voters: [1, 2, 3], learners: [4, .max]),
                                                    latestChangeIndex: 10, transferee: 3)), id: 6),
            .controlReply(.ok, id: 0),
            .controlReply(.localValue(nil), id: 1),
            .controlReply(.localValue(""), id: 1),
            .controlReply(.log([]), id: 2),
            .controlReply(.log([big]), id: 2),
            .controlReply(.error(""), id: .max),
        ] + Role.allCases.map {
            .controlReply(.status(NodeReport(id: 1, role: $0, term: 2, leader: 3, commit: 4, applied: 5,
                                             lastIndex: 6, lastTerm: 7, digest: .max, droppedMalformed: 8,
                                             droppedUnknown: 9, vote: 10, firstIndex: 11, commitTerm: 12,
                                             commitHash: .max - 1, lastHash: 13, incarnation: .max,
                                             raftSent: 14, raftReceived: 15, droppedByFaults: 16)), id: 5)
        }
        for m in samples {
            #expect(roundTrips(m), "\(m)")
        }
    }

    @Test("the frame layout: magic, version, type, length, payload, checksum")
    func layout() throws {
        let m = WireMessage.clientRequest(ClientRequest(client: 0x0102_0304_0506_0708, seq: 0x1122, session: 0x44,
                                                        op: .put(key: "ab", value: "é")))
        let bytes = WireCodec.encode(m)
        let payload: [UInt8] = [
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // client
            0x22, 0x11, 0, 0, 0, 0, 0, 0,                    // seq
            0x44, 0, 0, 0, 0, 0, 0, 0,                       // session
            0,                                               // put
            2, 0, 0, 0, 0x61, 0x62,                          // key
            2, 0, 0, 0, 0xC3, 0xA9,                          // value
        ]
        let header: [UInt8] = [0x52, 0x46, WireCodec.version, 2, UInt8(payload.count), 0, 0, 0]
        let crc = CRC32C.checksum(header + payload)
        let trailer = (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
        #expect(bytes == header + payload + trailer)
        #expect(bytes.count == WireCodec.frameOverhead + payload.count)
        // The type bytes of the other cases.
        #expect(WireCodec.encode(.raft(Message(kind: .vote, from: 1, to: 2, term: 3)))[3] == 1)
        #expect(WireCodec.encode(.clientReply(ClientReply(client: 1, seq: 1, outcome: .done(.ok))))[3] == 3)
        #expect(WireCodec.encode(.control(.heal, id: 1, key: []))[3] == 4)
        #expect(WireCodec.encode(.controlReply(.ok, id: 1))[3] == 5)
    }

    @Test("the encoding is canonical: equal-but-different strings keep their bytes")
    func canonicalStrings() throws {
        // "é" precomposed and decomposed are equal Strings but different UTF-8.
        let a = WireMessage.clientRequest(ClientRequest(client: 1, seq: 1, op: .get(key: "\u{E9}")))
        let b = WireMessage.clientRequest(ClientRequest(client: 1, seq: 1, op: .get(key: "e\u{301}")))
        #expect(a == b)
        #expect(WireCodec.encode(a) != WireCodec.encode(b))
        let decoded = try WireCodec.decode(WireCodec.encode(b))
        guard case .clientRequest(let r) = decoded else { Issue.record("wrong case"); return }
        #expect(Array(r.op.key.utf8) == [0x65, 0xCC, 0x81])
    }

    @Test("decode accepts any collection of bytes: slices and non-contiguous collections")
    func collections() throws {
        var gen = Gen(seed: 6)
        for _ in 0..<200 {
            let m = gen.wireMessage()
            let bytes = WireCodec.encode(m)
            let padded = [0xEE] + bytes + [0xEE]
            #expect(try WireCodec.decode(padded[1..<(padded.count - 1)]) == m)
            #expect(try WireCodec.decode(bytes.reversed().reversed()) == m)
            #expect(try WireCodec.decode(bytes.lazy.map { $0 }) == m)
        }
    }

    /// A single-entry append whose encoding is exactly `size` bytes.
    static func append(encodedSize size: Int) -> WireMessage {
        let empty = WireMessage.raft(Message(kind: .append, from: 1, to: 2, term: 3, logTerm: 3, index: 4,
                                             commit: 4, entries: [Entry(term: 3, index: 5)]))
        let base = WireCodec.encode(empty).count
        var rng = SplitMix64(seed: 7)
        let data = (0..<(size - base)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return .raft(Message(kind: .append, from: 1, to: 2, term: 3, logTerm: 3, index: 4, commit: 4,
                             entries: [Entry(term: 3, index: 5, data: data)]))
    }

    @Test("a message of exactly maxDatagramBytes round-trips; one byte more is rejected as oversized")
    func sizeLimit() throws {
        let largest = Self.append(encodedSize: WireCodec.maxDatagramBytes)
        let bytes = WireCodec.encode(largest)
        #expect(bytes.count == WireCodec.maxDatagramBytes)
        #expect(try WireCodec.decode(bytes) == largest)

        let tooBig = WireCodec.encode(Self.append(encodedSize: WireCodec.maxDatagramBytes + 1))
        #expect(tooBig.count == WireCodec.maxDatagramBytes + 1)
        #expect(throws: WireError.oversized(WireCodec.maxDatagramBytes + 1)) { try WireCodec.decode(tooBig) }

        // Many small entries near the limit, and a large string.
        var manyEntries: [Entry] = []
        var size = 100
        while size + 21 + 8 < WireCodec.maxDatagramBytes {
            manyEntries.append(Entry(term: 1, index: UInt64(manyEntries.count + 1), kind: .noop, data: [1, 2, 3, 4, 5, 6, 7, 8]))
            size += 21 + 8
        }
        let many = WireMessage.controlReply(.log(manyEntries), id: 1)
        #expect(WireCodec.encode(many).count <= WireCodec.maxDatagramBytes)
        #expect(try WireCodec.decode(WireCodec.encode(many)) == many)
        let value = String(repeating: "ж", count: 32_000)
        let reply = WireMessage.clientReply(ClientReply(client: 1, seq: 1, outcome: .done(.value(value))))
        #expect(try WireCodec.decode(WireCodec.encode(reply)) == reply)

        // Oversized input is rejected before anything else is looked at, whatever it holds.
        #expect(throws: WireError.oversized(1 << 20)) { try WireCodec.decode([UInt8](repeating: 0, count: 1 << 20)) }
        #expect(throws: WireError.oversized(70_000)) {
            try WireCodec.decode(bytes + [UInt8](repeating: 0, count: 70_000 - bytes.count))
        }
    }
}
