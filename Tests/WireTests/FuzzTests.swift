import Checksum
import KV
import RaftCore
import Testing
@testable import Wire

/// Makes random and mutated datagrams from a corpus of valid encodings.
struct Mutator {
    var rng: SplitMix64
    /// Valid datagrams, and the payload offsets of their count and length fields.
    let corpus: [(bytes: [UInt8], counts: [Int])]

    init(rng: SplitMix64, messages: [WireMessage]) {
        self.rng = rng
        corpus = messages.map { m in
            let (bytes, offsets) = WireCodec.encodeRecordingCounts(m)
            return (bytes, offsets.map { $0 - WireCodec.headerBytes })
        }
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &rng) }
    mutating func randomBytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in byte() } }
    mutating func sampleWithCounts() -> (bytes: [UInt8], counts: [Int]) { corpus[int(0...(corpus.count - 1))] }
    mutating func sample() -> [UInt8] { sampleWithCounts().bytes }

    /// A value other than `v` for a tampered count or length field.
    mutating func interesting(near v: UInt32, remaining: Int) -> UInt32 {
        let new = anyInteresting(near: v, remaining: remaining)
        return new == v ? v &+ 1 : new
    }

    mutating func anyInteresting(near v: UInt32, remaining: Int) -> UInt32 {
        let r = UInt32(truncatingIfNeeded: max(remaining, 0))
        switch int(0...9) {
        case 0: return v &+ 1
        case 1: return v &- 1
        case 2: return 0
        case 3: return .max
        case 4: return 0x7FFF_FFFF
        case 5: return 0x8000_0000
        case 6: return r &+ 1
        case 7: return r
        case 8: return v &+ UInt32(int(2...64))
        default: return UInt32.random(in: 0...UInt32.max, using: &rng)
        }
    }

    /// Offsets in `payload` holding a u32 that could be a count or length: no larger than what
    /// follows it. The real count and length fields are all among them.
    func lengthCandidates(_ payload: [UInt8]) -> [Int] {
        guard payload.count >= 4 else { return [] }
        return (0...(payload.count - 4)).filter { i in
            Int(readU32(payload, at: i)) <= payload.count - i - 4
        }
    }

    /// One mutation of `p`: bit flips, byte overwrites, inserts, deletes, truncation, extension,
    /// a splice with another payload, or a tampered count/length field.
    mutating func mutatePayload(_ p: [UInt8]) -> [UInt8] {
        var p = p
        switch int(0...8) {
        case 0:
            guard !p.isEmpty else { return [byte()] }
            for _ in 0..<int(1...4) { p[int(0...(p.count - 1))] ^= UInt8(1 << int(0...7)) }
        case 1:
            guard !p.isEmpty else { return [byte()] }
            for _ in 0..<int(1...3) { p[int(0...(p.count - 1))] = [0, 1, 2, 3, 0x7F, 0x80, 0xFF, byte()][int(0...7)] }
        case 2:
            for _ in 0..<int(1...3) { p.insert(byte(), at: int(0...p.count)) }
        case 3:
            guard !p.isEmpty else { return p }
            for _ in 0..<int(1...3) where !p.isEmpty { p.remove(at: int(0...(p.count - 1))) }
        case 4:
            p = Array(p.prefix(int(0...p.count)))
        case 5:
            p += randomBytes(int(1...16))
        case 6:
            let other = payload(of: sample())
            p = Array(p.prefix(int(0...p.count))) + other.suffix(int(0...other.count))
        default:
            // Tamper with a count or length field (the bounds checks, not the checksum, must catch it).
            let candidates = lengthCandidates(p)
            guard let i = candidates.isEmpty ? nil : candidates[int(0...(candidates.count - 1))] else {
                return mutatePayload(p)
            }
            patchU32(&p, at: i, interesting(near: readU32(p, at: i), remaining: p.count - i - 4))
        }
        return p
    }

    enum Strategy: String, CaseIterable {
        case randomShort, randomLong, randomWithMagic, randomFramedPayload
        case bitFlips, insertDelete, mutatedPayloadReframed, lengthTamperedReframed, wrongType, oversized
    }

    mutating func input(_ strategy: Strategy) -> [UInt8] {
        switch strategy {
        case .randomShort:
            return randomBytes(int(0...40))
        case .randomLong:
            return randomBytes(int(0...1500))
        case .randomWithMagic:
            return [0x52, 0x46, int(0...3) == 0 ? byte() : WireCodec.version, UInt8(int(0...7))]
                + randomBytes(int(0...200))
        case .randomFramedPayload:
            return WireCodec.frame(type: UInt8(int(0...7)), payload: randomBytes(int(0...200)))
        case .bitFlips:
            var d = sample()
            for _ in 0..<int(1...8) { d[int(0...(d.count - 1))] ^= UInt8(1 << int(0...7)) }
            return d
        case .insertDelete:
            var d = sample()
            for _ in 0..<int(1...3) {
                if Bool.random(using: &rng) { d.insert(byte(), at: int(0...d.count)) }
                else if !d.isEmpty { d.remove(at: int(0...(d.count - 1))) }
            }
            return d
        case .mutatedPayloadReframed:
            let d = sample()
            var p = payload(of: d)
            for _ in 0..<int(1...3) { p = mutatePayload(p) }
            return reframe(d, payload: p)
        case .lengthTamperedReframed:
            // Tamper with one or two of the real count and length fields.
            var (d, counts) = sampleWithCounts()
            while counts.isEmpty { (d, counts) = sampleWithCounts() }
            var p = payload(of: d)
            for _ in 0..<int(1...2) {
                let i = counts[int(0...(counts.count - 1))]
                patchU32(&p, at: i, interesting(near: readU32(p, at: i), remaining: p.count - i - 4))
            }
            return reframe(d, payload: p)
        case .wrongType:
            // A valid payload under another message type.
            let d = sample()
            let type = UInt8((Int(d[3]) - 1 + int(1...4)) % 5 + 1)
            return WireCodec.frame(type: type, payload: payload(of: d))
        case .oversized:
            let n = int((WireCodec.maxDatagramBytes + 1)...(WireCodec.maxDatagramBytes + 5000))
            let d = sample()
            return d + [UInt8](repeating: byte(), count: n - d.count)
        }
    }
}

@Suite("Wire fuzzing")
struct FuzzTests {
    static let inputs = 150_000

    @Test("150,000 random and mutated datagrams: never a crash; accepted input re-encodes to itself")
    func fuzz() {
        var gen = Gen(seed: 0x5EED, maxBytes: 40)
        let messages = (0..<600).map { _ in gen.wireMessage() }
        var mutator = Mutator(rng: SplitMix64(seed: 0xF022), messages: messages)

        var errors: [String: Int] = [:]
        var accepted: [Mutator.Strategy: Int] = [:]
        var violations: [[UInt8]] = []
        var acceptedUnframedMutants: [[UInt8]] = []
        var unchanged = 0
        let originals = Set(mutator.corpus.map(\.bytes))
        let strategies = Mutator.Strategy.allCases.filter { $0 != .oversized }
        for i in 0..<Self.inputs {
            let strategy = i % 1000 == 999 ? .oversized : strategies[i % strategies.count]
            let input = mutator.input(strategy)
            switch decodeResult(input) {
            case .success(let m):
                // The codec is canonical, so the bytes must be the same; and they decode to the same value.
                let again = WireCodec.encode(m)
                if again != input || decodeResult(again) != .success(m) { violations.append(input) }
                // Mutations can cancel out (a bit flipped twice, a byte inserted then deleted, a
                // length raised then lowered): count apart the inputs equal to an original.
                if originals.contains(input) {
                    unchanged += 1
                    break
                }
                accepted[strategy, default: 0] += 1
                if strategy == .bitFlips || strategy == .insertDelete { acceptedUnframedMutants.append(input) }
            case .failure(let e):
                errors[errorKind(e), default: 0] += 1
            }
        }

        #expect(violations.isEmpty, "accepted inputs that do not round-trip: \(violations.prefix(3))")
        #expect(errors.values.reduce(0, +) + accepted.values.reduce(0, +) + unchanged == Self.inputs)
        #expect(unchanged < Self.inputs / 50)
        // Every kind of rejection was reached, and the payload parser's checks did most of the work
        // on reframed input (the checksum cannot help there).
        for kind in ["tooShort", "badMagic", "unsupportedVersion", "unknownType", "lengthMismatch",
                     "checksumMismatch", "oversized", "malformed"] {
            #expect(errors[kind, default: 0] > 0, "never saw \(kind): \(errors)")
        }
        #expect(errors["malformed", default: 0] > 40_000, "\(errors)")
        // Some mutants are valid messages (e.g. a flipped bit inside an id), and were checked above.
        #expect(accepted[.mutatedPayloadReframed, default: 0] > 100, "\(accepted)")
        // A tampered count or length is almost always caught; when it is not (say a string length
        // cut short so that the rest still parses), the result was checked to round-trip above.
        #expect(accepted[.lengthTamperedReframed, default: 0] < Self.inputs / strategies.count / 50, "\(accepted)")
        // Changes to a valid datagram that do not recompute the checksum never get through.
        #expect(acceptedUnframedMutants.isEmpty, "\(acceptedUnframedMutants.prefix(3))")
    }

    @Test("a tampered frame length with a matching checksum is a length mismatch")
    func frameLengthTampering() {
        var gen = Gen(seed: 21)
        var rng = SplitMix64(seed: 22)
        for _ in 0..<5000 {
            var d = WireCodec.encode(gen.wireMessage())
            let real = readU32(d, at: 4)
            var fake = UInt32.random(in: 0...UInt32.max, using: &rng)
            if Bool.random(using: &rng) { fake = real &+ UInt32.random(in: 1...8, using: &rng) }
            if Bool.random(using: &rng) { fake = real &- UInt32.random(in: 1...8, using: &rng) }
            if fake == real { continue }
            patchU32(&d, at: 4, fake)
            patchU32(&d, at: d.count - 4, CRC32C.checksum(d[..<(d.count - 4)]))
            #expect(decodeError(d) == .lengthMismatch)
        }
    }
}
