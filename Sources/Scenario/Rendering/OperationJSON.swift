import Wire
import KV
import Check

/// How the `--json` forms show a client operation and its outcome.
enum OperationJSON {
    /// `"op":"put","key":"x","value":"1"` (and `from`, `to` for cas).
    static func fields(_ op: KVOperation) -> [(String, JSONValue)] {
        switch op {
        case .put(let k, let v): return [("op", .string("put")), ("key", .string(k)), ("value", .string(v))]
        case .get(let k): return [("op", .string("get")), ("key", .string(k))]
        case .delete(let k): return [("op", .string("delete")), ("key", .string(k))]
        case .cas(let k, let from, let to):
            return [("op", .string("cas")), ("key", .string(k)), ("from", .string(from)), ("to", .string(to))]
        case .append(let k, let v): return [("op", .string("append")), ("key", .string(k)), ("value", .string(v))]
        }
    }

    /// `"outcome":"ok"|"fail"|"unknown"`, and what a read returned: `"found"`, `"read"`.
    static func outcome(_ o: OperationOutcome) -> [(String, JSONValue)] {
        switch o {
        case .ok(.ok): return [("outcome", .string("ok"))]
        case .ok(.value(let v)): return [("outcome", .string("ok")), ("found", .bool(v != nil)), ("read", .text(v))]
        case .ok(.casFailed(let v)): return [("outcome", .string("cas-failed")), ("found", .bool(v != nil)), ("read", .text(v))]
        case .ok(.casMismatch): return [("outcome", .string("cas-failed"))]
        case .fail: return [("outcome", .string("fail"))]
        case .unknown: return [("outcome", .string("unknown"))]
        }
    }
}
