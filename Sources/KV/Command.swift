import RaftCore

/// A command in the log: a client write, tagged with the client's session: its start index and the
/// request's number in it.
///
/// Binary encoding (all integers little-endian):
///
/// | bytes | field |
/// |---|---|
/// | 1 | version, `Command.encodingVersion` (2) |
/// | 8 | client id |
/// | 8 | seq |
/// | 8 | session (the index the client's session starts from) |
/// | 1 | tag: 0 put, 1 get, 2 delete, 3 cas, 4 append |
/// | 4 + n | key: UTF-8 byte count, then the bytes |
/// | 4 + n | value (put, append), or the expected value (cas): UTF-8 byte count, then the bytes |
/// | 4 + n | the new value (cas only) |
///
/// Nothing may follow. `decode(_:)` never traps, whatever the input.
public struct Command: Sendable, Hashable {
    /// The client that issued the command.
    public var client: ClientID
    /// The client's number for it.
    public var seq: UInt64
    /// The index the client's session starts from (`ClientRequest.session`).
    public var session: LogIndex
    /// The operation.
    public var op: KVOperation

    /// The version byte `encode()` writes and `decode(_:)` accepts.
    public static let encodingVersion: UInt8 = 2

    /// A command `op` numbered `seq` from `client`, in the session that starts from index `session`.
    public init(client: ClientID, seq: UInt64, session: LogIndex = 0, op: KVOperation) {
        self.client = client
        self.seq = seq
        self.session = session
        self.op = op
    }

    /// The command a request asks to put in the log.
    public init(_ request: ClientRequest) {
        self.init(client: request.client, seq: request.seq, session: request.session, op: request.op)
    }

    private enum Tag: UInt8 {
        case put = 0, get = 1, delete = 2, cas = 3, append = 4
    }

    /// The binary form described on the type.
    ///
    /// Written into a buffer on the stack and appended to an array of the exact size (`byteCount`)
    /// at once: appending field by field (`ByteWriter`) went through `append(contentsOf:)` for every
    /// integer and string, about 1,300 instructions a command (callgrind of `raftsh bench sim`).
    /// (`Array(unsafeUninitializedCapacity:)` allocates through the standard library's unspecialized
    /// code, which looks up the array's type metadata at every call; `reserveCapacity` does not.)
    public func encode() -> [UInt8] {
        let size = byteCount
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            var w = UnsafeByteWriter(buffer)
            w.u8(Command.encodingVersion)
            w.u64(client)
            w.u64(seq)
            w.u64(session)
            switch op {
            case .put(let key, let value):
                w.u8(Tag.put.rawValue)
                w.string(key)
                w.string(value)
            case .get(let key):
                w.u8(Tag.get.rawValue)
                w.string(key)
            case .delete(let key):
                w.u8(Tag.delete.rawValue)
                w.string(key)
            case .cas(let key, let from, let to):
                w.u8(Tag.cas.rawValue)
                w.string(key)
                w.string(from)
                w.string(to)
            case .append(let key, let value):
                w.u8(Tag.append.rawValue)
                w.string(key)
                w.string(value)
            }
            precondition(w.written == size, "Command.encode wrote \(w.written) bytes, not \(size)")
            bytes.append(contentsOf: UnsafeBufferPointer(buffer))
        }
        return bytes
    }

    /// The size of the binary form.
    var byteCount: Int { 26 + op.stringBytes }

    /// Parses the binary form; throws on truncated, malformed or over-long input.
    public static func decode(_ bytes: [UInt8]) throws(CommandDecodingError) -> Command {
        var r = ByteReader(bytes)
        let version = try r.u8()
        guard version == encodingVersion else { throw .badVersion }
        let client = try r.u64()
        let seq = try r.u64()
        let session = try r.u64()
        let rawTag = try r.u8()
        guard let tag = Tag(rawValue: rawTag) else { throw .badTag }
        let key = try r.string()
        let op: KVOperation
        switch tag {
        case .put: op = .put(key: key, value: try r.string())
        case .get: op = .get(key: key)
        case .delete: op = .delete(key: key)
        case .cas:
            let from = try r.string()
            op = .cas(key: key, from: from, to: try r.string())
        case .append: op = .append(key: key, value: try r.string())
        }
        guard r.remaining == 0 else { throw .trailingBytes }
        return Command(client: client, seq: seq, session: session, op: op)
    }
}

extension Command: CustomStringConvertible {
    public var description: String { "c\(client)#\(seq) \(op)" }
}

extension KVOperation {
    /// The bytes its strings take in a `Command`'s binary form (each with its 4-byte count).
    fileprivate var stringBytes: Int {
        switch self {
        case .put(let key, let value), .append(let key, let value): return 8 + key.utf8.count + value.utf8.count
        case .get(let key), .delete(let key): return 4 + key.utf8.count
        case .cas(let key, let from, let to): return 12 + key.utf8.count + from.utf8.count + to.utf8.count
        }
    }
}
