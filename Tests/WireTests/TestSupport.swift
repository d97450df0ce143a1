import KV
import RaftCore
@testable import Wire
@_exported import TestSupport  // the shared SplitMix64, for every file of this target


/// Random field values for every message type, biased towards edge values.
struct Gen {
    var rng: SplitMix64
    /// Largest entry data, string or list the generator makes (keeps messages small enough to
    /// mutate quickly; size edges are tested separately).
    var maxBytes: Int

    init(seed: UInt64, maxBytes: Int = 64) {
        rng = SplitMix64(seed: seed)
        self.maxBytes = maxBytes
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &rng) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }

    mutating func u64() -> UInt64 {
        switch int(0...5) {
        case 0: return 0
        case 1: return .max
        case 2: return UInt64(int(1...10))
        case 3: return UInt64.random(in: 0...UInt64(UInt32.max), using: &rng)
        default: return rng.next()
        }
    }

    mutating func u32() -> UInt32 {
        switch int(0...3) {
        case 0: return 0
        case 1: return .max
        default: return UInt32.random(in: 0...UInt32.max, using: &rng)
        }
    }

    mutating func bytes(max: Int? = nil) -> [UInt8] {
        let n = chance(0.2) ? 0 : int(0...(max ?? maxBytes))
        return (0..<n).map { _ in byte() }
    }

    /// Pieces that exercise 1- to 4-byte UTF-8, combining marks, NUL and the replacement character.
    static let pieces: [String] = [
        "a", "key", "x", " ", "\0", "é", "e\u{301}", "ключ", "日本語", "🐢", "👩‍👩‍👧", "\u{FFFD}",
        "\u{10FFFF}", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}", "\u{10000}", "\n\t",
    ]

    mutating func string() -> String {
        if chance(0.15) { return "" }
        var s = ""
        let parts = int(1...max(1, maxBytes / 8))
        for _ in 0..<parts {
            if chance(0.3) {
                s += String(UnicodeScalar(UInt8(int(0x20...0x7E))))
            } else if chance(0.1) {
                // any scalar (skipping surrogates)
                let v = UInt32(int(0...0x10FFFF))
                s += String(UnicodeScalar(v) ?? "?")
            } else {
                s += pick(Gen.pieces)
            }
        }
        return s
    }

    mutating func entry() -> Entry {
        Entry(term: u64(), index: u64(), kind: pick([.normal, .noop, .config]), data: bytes())
    }

    mutating func entries() -> [Entry] {
        let n = chance(0.3) ? 0 : int(1...8)
        return (0..<n).map { _ in entry() }
    }

    mutating func message(kind: Message.Kind? = nil) -> Message {
        let kind = kind ?? pick(Message.Kind.allCases)
        let withChunk = kind == .snapshot || kind == .snapshotResponse ? !chance(0.1) : chance(0.1)
        return Message(kind: kind, from: u64(), to: u64(), term: u64(),
                       logTerm: u64(), index: u64(), commit: u64(), entries: entries(), reject: bool(),
                       rejectHint: u64(), context: u64(), snapshot: withChunk ? chunk() : nil)
    }

    mutating func chunk() -> SnapshotChunk {
        let voters = (0..<int(0...7)).map { _ in u64() }, learners = (0..<int(0...3)).map { _ in u64() }
        return SnapshotChunk(metadata: SnapshotMetadata(index: u64(), term: u64(),
                                                        membership: Membership(voters: Array(Set(voters)),
                                                                               learners: Array(Set(learners))),
                                                        logHash: u64()),
                             offset: u64(), data: bytes(), done: bool())
    }

    mutating func operation() -> KVOperation {
        switch int(0...4) {
        case 0: return .put(key: string(), value: string())
        case 1: return .get(key: string())
        case 2: return .cas(key: string(), from: string(), to: string())
        case 3: return .append(key: string(), value: string())
        default: return .delete(key: string())
        }
    }

    mutating func clientRequest() -> ClientRequest {
        ClientRequest(client: u64(), seq: u64(), session: u64(), op: operation())
    }

    mutating func outcome() -> ReplyOutcome {
        switch int(0...8) {
        case 0: return .done(.ok)
        case 1: return .done(.value(nil))
        case 2: return .done(.value(string()))
        case 3: return .notLeader(leader: u64())
        case 4: return .done(.casFailed(current: nil))
        case 5: return .done(.casFailed(current: string()))
        case 6: return .sessionExpired(session: u64())
        case 7: return .done(.casMismatch)
        default: return .failed(string())
        }
    }

    mutating func clientReply() -> ClientReply {
        ClientReply(client: u64(), seq: u64(), outcome: outcome(), index: u64())
    }

    mutating func peers() -> [NodeID] {
        let n = chance(0.2) ? 0 : int(1...9)
        return (0..<n).map { _ in u64() }
    }

    mutating func controlRequest() -> ControlRequest {
        switch int(0...7) {
        case 0: return .status
        case 1: return .cut(peers: peers())
        case 2: return .blockOutgoing(to: peers())
        case 3: return .setFaults(peer: u64(), lossPPM: u32(), duplicatePPM: u32(),
                                  delayMinNanos: u64(), delayMaxNanos: u64())
        case 4: return .heal
        case 5: return .localGet(key: string())
        case 6: return .snapshot
        default: return .logTail(count: u32())
        }
    }

    mutating func report(role: Role? = nil) -> NodeReport {
        var r = NodeReport(id: u64(), role: role ?? pick(Role.allCases), term: u64(), leader: u64(), commit: u64(),
                   applied: u64(), lastIndex: u64(), lastTerm: u64(), digest: u64(),
                   droppedMalformed: u64(), droppedUnknown: u64(), vote: u64(), firstIndex: u64(),
                   commitTerm: u64(), commitHash: u64(), lastHash: u64(), incarnation: u64(),
                   raftSent: u64(), raftReceived: u64(), droppedByFaults: u64(),
                   snapshotsTaken: u64(), snapshotsSent: u64(), snapshotsInstalled: u64())
        r.logSyncs = u64()
        return r
    }

    mutating func controlReply() -> ControlReply {
        switch int(0...6) {
        case 0: return .ok
        case 1: return .status(report())
        case 2: return .localValue(nil)
        case 3: return .localValue(string())
        case 4: return .log(entries())
        case 5: return .snapshotTaken(index: u64())
        default: return .error(string())
        }
    }

    mutating func key() -> [UInt8] { bytes(max: 48) }

    /// Any message, every case about equally often.
    mutating func wireMessage() -> WireMessage {
        switch int(0...4) {
        case 0: return .raft(message())
        case 1: return .clientRequest(clientRequest())
        case 2: return .clientReply(clientReply())
        case 3: return .control(controlRequest(), id: u64(), key: key())
        default: return .controlReply(controlReply(), id: u64())
        }
    }
}

/// Overwrite 4 bytes at `offset` with `v` little-endian.
func patchU32(_ bytes: inout [UInt8], at offset: Int, _ v: UInt32) {
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
}

func readU32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
}

/// The payload of a valid encoding (between the 8-byte header and the 4-byte checksum).
func payload(of datagram: [UInt8]) -> [UInt8] {
    Array(datagram[WireCodec.headerBytes..<(datagram.count - WireCodec.checksumBytes)])
}

/// `datagram` with its payload replaced, and the length and checksum made consistent again, so
/// that only the payload parser can reject it.
func reframe(_ datagram: [UInt8], payload: [UInt8]) -> [UInt8] {
    WireCodec.frame(type: datagram[3], payload: payload)
}

/// The outcome of decoding, as a value (typed throws make `Result` exact).
func decodeResult(_ bytes: [UInt8]) -> Result<WireMessage, WireError> {
    Result { () throws(WireError) -> WireMessage in try WireCodec.decode(bytes) }
}

/// Which `WireError` case, ignoring payloads (for tallies).
func errorKind(_ e: WireError) -> String {
    switch e {
    case .tooShort: return "tooShort"
    case .badMagic: return "badMagic"
    case .unsupportedVersion: return "unsupportedVersion"
    case .unknownType: return "unknownType"
    case .lengthMismatch: return "lengthMismatch"
    case .checksumMismatch: return "checksumMismatch"
    case .oversized: return "oversized"
    case .malformed: return "malformed"
    }
}

/// Whether `m` round-trips exactly: it decodes to itself and its bytes re-encode identically
/// (`String` equality is canonical equivalence, so comparing bytes catches changed UTF-8 too).
func roundTrips(_ m: WireMessage) -> Bool {
    let bytes = WireCodec.encode(m)
    guard case .success(let decoded) = decodeResult(bytes) else { return false }
    return decoded == m && WireCodec.encode(decoded) == bytes
}
