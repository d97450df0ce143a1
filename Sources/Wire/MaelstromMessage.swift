import KV
import RaftCore

/// One message of Maelstrom's protocol: a JSON object on one line, `{"src": "n1", "dest": "c3",
/// "body": {"type": "read_ok", "in_reply_to": 4, ...}}`. Nodes are named `n1`…`nN`, clients `c1`….
public struct MaelstromMessage: Sendable, Hashable {
    public var src: String
    public var dest: String
    /// The body's members; `type` is required, `msg_id` and `in_reply_to` are usual.
    public var body: [String: JSONValue]

    public init(src: String, dest: String, body: [String: JSONValue]) {
        self.src = src
        self.dest = dest
        self.body = body
    }

    /// Why a line is not a Maelstrom message.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Parse one line; throws with a clear reason for anything but an object with string `src` and
    /// `dest` and an object `body` holding a string `type`.
    public static func parse(_ line: String) throws(ParseError) -> MaelstromMessage {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { throw ParseError(error.message) }
        guard case .object(let o) = value else { throw ParseError("not a JSON object") }
        guard let src = o["src"]?.stringValue else { throw ParseError("no string \"src\"") }
        guard let dest = o["dest"]?.stringValue else { throw ParseError("no string \"dest\"") }
        guard case .object(let body)? = o["body"] else { throw ParseError("no object \"body\"") }
        guard body["type"]?.stringValue != nil else { throw ParseError("the body has no string \"type\"") }
        return MaelstromMessage(src: src, dest: dest, body: body)
    }

    /// The message as one line of JSON (no newline).
    public var line: String {
        JSONValue.object(["src": .string(src), "dest": .string(dest), "body": .object(body)]).description
    }

    /// The body's `type`.
    public var type: String { body["type"]?.stringValue ?? "" }
    /// The body's `msg_id`, if any.
    public var msgID: Int64? { body["msg_id"]?.intValue }
    /// The body's `in_reply_to`, if any.
    public var inReplyTo: Int64? { body["in_reply_to"]?.intValue }

    /// The number in a node or client name (`n3` → 3, `c12` → 12); nil for anything else.
    public static func number(of name: String, prefix: Character) -> UInt64? {
        guard name.first == prefix, let n = UInt64(name.dropFirst()), n > 0, "\(prefix)\(n)" == name else { return nil }
        return n
    }

    /// A reply to `request` with `body` (gets `in_reply_to` from the request's `msg_id`).
    public static func reply(to request: MaelstromMessage, from: String, body: [String: JSONValue],
                             msgID: Int64? = nil) -> MaelstromMessage {
        var b = body
        if let id = request.msgID { b["in_reply_to"] = .int(id) }
        if let msgID { b["msg_id"] = .int(msgID) }
        return MaelstromMessage(src: from, dest: request.src, body: b)
    }
}

/// Maelstrom's error codes; definite ones mean the operation certainly did not happen.
public enum MaelstromErrorCode: Int64, Sendable, CaseIterable {
    case timeout = 0
    case nodeNotFound = 1
    case notSupported = 10
    case temporarilyUnavailable = 11
    case malformedRequest = 12
    case crash = 13
    case abort = 14
    case keyDoesNotExist = 20
    case keyAlreadyExists = 21
    case preconditionFailed = 22
    case txnConflict = 30

    /// Whether the error says the operation did not take place (Maelstrom's definition).
    public var isDefinite: Bool { self != .timeout && self != .crash }
}

/// The `lin-kv` workload: key-value operations as Maelstrom bodies and back. Keys and values are
/// JSON; the store's strings map to JSON integers when they are integers, to strings otherwise.
public enum MaelstromKV {
    /// A store string as JSON.
    public static func json(_ s: String) -> JSONValue {
        if let i = Int64(s), String(i) == s { return .int(i) }
        return .string(s)
    }

    /// JSON as a store string.
    public static func string(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return v.description
        }
    }

    /// The request body of `op` (`read`, `write`, `cas`; `append` and `delete` are raftsh's own).
    public static func body(_ op: KVOperation) -> [String: JSONValue] {
        switch op {
        case .get(let k): return ["type": .string("read"), "key": json(k)]
        case .put(let k, let v): return ["type": .string("write"), "key": json(k), "value": json(v)]
        case .cas(let k, let from, let to): return ["type": .string("cas"), "key": json(k), "from": json(from), "to": json(to)]
        case .append(let k, let v): return ["type": .string("append"), "key": json(k), "value": json(v)]
        case .delete(let k): return ["type": .string("delete"), "key": json(k)]
        }
    }

    /// The operation a request body asks for, nil if it is not a key-value request (or malformed).
    public static func operation(_ body: [String: JSONValue]) -> KVOperation? {
        guard let type = body["type"]?.stringValue, let key = body["key"].map(string) else { return nil }
        switch type {
        case "read": return .get(key: key)
        case "write": return body["value"].map { .put(key: key, value: string($0)) }
        case "cas":
            guard let from = body["from"], let to = body["to"] else { return nil }
            return .cas(key: key, from: string(from), to: string(to))
        case "append": return body["value"].map { .append(key: key, value: string($0)) }
        case "delete": return .delete(key: key)
        default: return nil
        }
    }

    /// The reply body a node sends for `outcome` of `op`.
    public static func replyBody(_ outcome: ReplyOutcome, of op: KVOperation) -> [String: JSONValue] {
        switch outcome {
        case .done(.value(let v?)): return ["type": .string("read_ok"), "value": json(v)]
        case .done(.value(nil)): return error(.keyDoesNotExist, "key does not exist")
        case .done(.ok):
            switch op {
            case .cas: return ["type": .string("cas_ok")]
            case .append: return ["type": .string("append_ok")]
            case .delete: return ["type": .string("delete_ok")]
            default: return ["type": .string("write_ok")]
            }
        case .done(.casFailed(nil)): return error(.keyDoesNotExist, "key does not exist")
        case .done(.casFailed(let v?)):
            var b = error(.preconditionFailed, "expected another value, found \(v)")
            b["current"] = json(v)
            return b
        case .done(.casMismatch): return error(.preconditionFailed, "expected another value")
        case .notLeader(let leader):
            var b = error(.temporarilyUnavailable, leader == noNode ? "not the leader (leader unknown)" : "not the leader (leader is n\(leader))")
            if leader != noNode { b["leader"] = .string("n\(leader)") }
            return b
        case .failed(let why): return error(.crash, why)
        case .sessionExpired:
            // The write may have applied before its session expired: indefinite, like a crash.
            return error(.crash, "the client's session expired (the write may or may not have applied)")
        }
    }

    /// An error body.
    public static func error(_ code: MaelstromErrorCode, _ text: String) -> [String: JSONValue] {
        ["type": .string("error"), "code": .int(code.rawValue), "text": .string(text)]
    }

    /// How a client reads a node's reply body to `op`: the outcome the client state machine takes.
    /// Unknown reply types and error codes that are not definite become failures (a write's outcome
    /// then stays unknown).
    public static func outcome(_ body: [String: JSONValue], of op: KVOperation) -> ReplyOutcome {
        switch body["type"]?.stringValue {
        case "read_ok": return .done(.value(body["value"].map(string)))
        case "write_ok", "cas_ok", "append_ok", "delete_ok": return .done(.ok)
        case "error":
            let code = body["code"]?.intValue.flatMap(MaelstromErrorCode.init(rawValue:))
            let text = body["text"]?.stringValue ?? ""
            switch (code, op) {
            case (.keyDoesNotExist?, .get): return .done(.value(nil))
            case (.keyDoesNotExist?, .cas): return .done(.casFailed(current: nil))
            case (.preconditionFailed?, .cas):
                if let current = body["current"] { return .done(.casFailed(current: string(current))) }
                return .done(.casMismatch)
            case (.temporarilyUnavailable?, _):
                let hint = body["leader"]?.stringValue.flatMap { MaelstromMessage.number(of: $0, prefix: "n") } ?? noNode
                return .notLeader(leader: hint)
            default:
                let number = body["code"]?.intValue.map(String.init) ?? "?"
                return .failed("error \(number)" + (text.isEmpty ? "" : ": \(text)"))
            }
        default:
            return .failed("unexpected reply type \(body["type"]?.description ?? "none")")
        }
    }
}
