import KV
import RaftCore
import Testing

@Suite("Command encoding")
struct CommandCodingTests {
    static let samples: [Command] = [
        Command(client: 1, seq: 1, op: .put(key: "x", value: "1")),
        Command(client: 0, seq: 0, op: .put(key: "", value: "")),
        Command(client: .max, seq: .max, op: .put(key: "ключ", value: "значение 🔑")),
        Command(client: 42, seq: 7, op: .put(key: "e\u{301}", value: "caf\u{e9}")),
        Command(client: 3, seq: 9, op: .get(key: "🐢🐢")),
        Command(client: 3, seq: 10, op: .get(key: "")),
        Command(client: 5, seq: 11, op: .delete(key: "日本語")),
        Command(client: 5, seq: 12, op: .delete(key: "")),
        Command(client: 6, seq: 1, op: .cas(key: "x", from: "1", to: "2")),
        Command(client: 6, seq: 2, op: .cas(key: "", from: "", to: "日本語")),
        Command(client: 6, seq: 3, op: .append(key: "log", value: " more")),
        Command(client: 6, seq: 13, op: .put(key: String(repeating: "k", count: 300),
                                             value: String(repeating: "v", count: 70_000))),
    ]

    @Test("encode then decode gives the same command", arguments: samples)
    func roundTrip(_ command: Command) throws {
        let bytes = command.encode()
        let decoded = try Command.decode(bytes)
        #expect(decoded == command)
        // Byte-exact: keys compare by canonical equivalence, so check the UTF-8 too.
        #expect(Array(decoded.op.key.utf8) == Array(command.op.key.utf8))
        #expect(decoded.encode() == bytes)
    }

    @Test("the layout is versioned and little-endian")
    func layout() {
        let bytes = Command(client: 0x0102_0304_0506_0708, seq: 0x1122, session: 0x33, op: .put(key: "ab", value: "é")).encode()
        let expected: [UInt8] = [
            2,                                       // version
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // client
            0x22, 0x11, 0, 0, 0, 0, 0, 0,            // seq
            0x33, 0, 0, 0, 0, 0, 0, 0,               // session
            0,                                       // tag put
            2, 0, 0, 0, 0x61, 0x62,                  // key
            2, 0, 0, 0, 0xC3, 0xA9,                  // value
        ]
        #expect(bytes == expected)
        #expect(Command(client: 1, seq: 2, op: .get(key: "")).encode()[25] == 1)
        #expect(Command(client: 1, seq: 2, op: .delete(key: "")).encode()[25] == 2)
    }

    @Test("every truncation is rejected as truncated", arguments: samples.filter { $0.encode().count < 1000 })
    func truncations(_ command: Command) {
        let bytes = command.encode()
        for length in 0..<bytes.count {
            #expect(throws: CommandDecodingError.truncated, "prefix of \(length) bytes") {
                try Command.decode(Array(bytes[0..<length]))
            }
        }
    }

    @Test("malformed input is rejected with the matching error")
    func malformed() {
        let good = Command(client: 1, seq: 2, op: .put(key: "k", value: "v")).encode()

        var badVersion = good
        badVersion[0] = 1  // the version before sessions carried their start
        #expect(throws: CommandDecodingError.badVersion) { try Command.decode(badVersion) }
        badVersion[0] = 3
        #expect(throws: CommandDecodingError.badVersion) { try Command.decode(badVersion) }
        #expect(throws: CommandDecodingError.badVersion) { try Command.decode([0]) }

        var badTag = good
        badTag[25] = 5  // the first tag after put, get, delete, cas, append
        #expect(throws: CommandDecodingError.badTag) { try Command.decode(badTag) }
        badTag[25] = 0xFF
        #expect(throws: CommandDecodingError.badTag) { try Command.decode(badTag) }

        #expect(throws: CommandDecodingError.trailingBytes) { try Command.decode(good + [0]) }

        // A length far beyond the input must not allocate or trap.
        var huge = Array(good[0..<26])
        huge += [0xFF, 0xFF, 0xFF, 0xFF, 0x61]
        #expect(throws: CommandDecodingError.truncated) { try Command.decode(huge) }
    }

    @Test("invalid UTF-8 in a key or value is rejected",
          arguments: [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]])
    func badUTF8(_ invalid: [UInt8]) {
        let header: [UInt8] = [2] + [UInt8](repeating: 0, count: 24)
        let length = [UInt8(invalid.count), 0, 0, 0]
        let badKey = header + [2] + length + invalid
        #expect(throws: CommandDecodingError.badUTF8) { try Command.decode(badKey) }
        let badValue = header + [0] + [1, 0, 0, 0, 0x61] + length + invalid
        #expect(throws: CommandDecodingError.badUTF8) { try Command.decode(badValue) }
    }

    @Test("random bytes never crash decode; whatever decodes re-encodes to the same bytes")
    func garbage() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        var decodedCount = 0
        let seeds = Self.samples.filter { $0.encode().count < 1000 }.map { $0.encode() }
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                // Pure noise, biased towards a valid version byte so decoding gets further.
                let n = Int(rng.next() % 48)
                bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if !bytes.isEmpty && rng.next() % 2 == 0 { bytes[0] = 1 }
            } else {
                // A valid encoding with a few bytes changed, dropped or added.
                bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0...(rng.next() % 3) {
                    switch rng.next() % 3 {
                    case 0 where !bytes.isEmpty:
                        bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                    case 1 where !bytes.isEmpty:
                        bytes.remove(at: Int(rng.next() % UInt64(bytes.count)))
                    default:
                        bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(bytes.count + 1)))
                    }
                }
            }
            do {
                let command = try Command.decode(bytes)
                decodedCount += 1
                #expect(command.encode() == bytes)
            } catch {
                // Rejected: fine.
            }
        }
        // The mutations include harmless byte changes (in ids or string contents), so some decode.
        #expect(decodedCount > 0)
    }
}
