import KV

/// Client histories in Jepsen's EDN form, one map per line, the form Knossos, Elle and porcupine's
/// tools read:
///
///     {:process 3, :type :invoke, :f :write, :key "x", :value 1, :time 1200000, :index 0}
///     {:process 3, :type :ok, :f :write, :key "x", :value 1, :time 3400000, :index 1}
///
/// Writing: `get` is `:f :read` (`:value nil` at invocation, the value read at `:ok`), `put` is
/// `:write`, `delete` is `:delete` (an extension; `:value nil`), `cas` is `:cas` with
/// `:value [from to]`, `append` is `:append`. An operation that certainly did not happen is
/// `:fail`; one whose outcome is unknown is `:info` (an operation that never completed gets its
/// `:info` line just before its client's next invocation, or at the end). A cas that found another value is `:fail` with `:error
/// :precondition-failed` and `:current` holding what it found. Integer-looking values are written
/// as integers, others as strings; keys as strings. `:time` is nanoseconds since the start.
///
/// Reading accepts that form, Jepsen's independent-key tuples (`:value [k v]`, `:value [k [from to]]`),
/// and single-register histories without keys; `:f` may be read/write/cas/delete or
/// get/put/append; `:info` is an unknown outcome. Lines are events in time order (`:time`, when
/// present, gives the time); invocations and completions pair by `:process`.
public enum HistoryEDN {
    /// `history` as EDN lines (each ending with a newline).
    public static func write(_ history: History) -> String {
        struct Event {
            var time: Timestamp
            /// 0: a completion placed just before its client's next invocation at the same instant
            /// (a process has one operation at a time), or the `:info` of an operation that never
            /// completed; 1: an invocation; 2: other completions (after invocations at one instant).
            var rank: Int
            var op: HistoryOperation
            var isCompletion: Bool { rank != 1 }
        }
        var events: [Event] = []
        let end = history.operations.map { $0.complete ?? $0.invoke }.max() ?? 0
        var nextInvoke: [Int: Timestamp] = [:]
        var lastOfClient: [ClientID: HistoryOperation] = [:]
        for op in history.operations.sorted(by: { ($0.invoke, $0.id) < ($1.invoke, $1.id) }) {
            if let previous = lastOfClient[op.client] { nextInvoke[previous.id] = op.invoke }
            lastOfClient[op.client] = op
        }
        for op in history.operations {
            events.append(Event(time: op.invoke, rank: 1, op: op))
            if let done = op.complete {
                // Before its client's next invocation at the same instant (a process has one
                // operation at a time); the times, read back, keep touching operations concurrent.
                events.append(Event(time: done, rank: nextInvoke[op.id] == done ? 0 : 2, op: op))
            } else {
                events.append(Event(time: nextInvoke[op.id] ?? end, rank: nextInvoke[op.id] == nil ? 2 : 0, op: op))
            }
        }
        events.sort { ($0.time, $0.rank, $0.op.id) < ($1.time, $1.rank, $1.op.id) }
        var out = ""
        for (index, e) in events.enumerated() {
            out += line(e.op, completion: e.isCompletion, time: e.time, index: index).description + "\n"
        }
        return out
    }

    private static func line(_ h: HistoryOperation, completion: Bool, time: Timestamp, index: Int) -> EDN {
        var type = "invoke"
        if completion {
            switch h.outcome {
            case .ok(.casFailed), .ok(.casMismatch): type = "fail"
            case .ok: type = "ok"
            case .fail: type = "fail"
            case .unknown: type = "info"
            }
        }
        let f: String
        var value: EDN
        var extra: [(EDN, EDN)] = []
        switch h.op {
        case .get:
            f = "read"
            if case .ok(.value(let v)) = h.outcome, completion { value = v.map(encodeValue) ?? .null } else { value = .null }
        case .put(_, let v): f = "write"; value = encodeValue(v)
        case .delete: f = "delete"; value = .null
        case .cas(_, let from, let to):
            f = "cas"
            value = .vector([encodeValue(from), encodeValue(to)])
            if completion, case .ok(.casFailed(let current)) = h.outcome {
                extra = [(.keyword("error"), .keyword("precondition-failed")),
                         (.keyword("current"), current.map(encodeValue) ?? .null)]
            } else if completion, case .ok(.casMismatch) = h.outcome {
                extra = [(.keyword("error"), .keyword("precondition-failed"))]
            }
        case .append(_, let v): f = "append"; value = encodeValue(v)
        }
        return .map([(.keyword("process"), .int(Int64(clamping: h.client))), (.keyword("type"), .keyword(type)),
                     (.keyword("f"), .keyword(f)), (.keyword("key"), .string(h.op.key)), (.keyword("value"), value)]
                    + extra + [(.keyword("time"), .int(Int64(clamping: time))), (.keyword("index"), .int(Int64(index)))])
    }

    /// An integer-looking value as an integer, others as strings.
    static func encodeValue(_ v: String) -> EDN {
        if let i = Int64(v), String(i) == v { return .int(i) }
        return .string(v)
    }

    /// A value read from a history as the store's string.
    static func decodeValue(_ e: EDN) -> String? {
        switch e {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        case .keyword(let k): return k
        default: return e.description
        }
    }

    /// Read a history from EDN `text` (`file` names it in errors). Throws `EDNError` with the line
    /// and column of the first malformed or inconsistent event.
    public static func read(_ text: String) throws(EDNError) -> History {
        var reader = EDNReader(text)
        var history = History()
        var open: [Int64: (id: Int, f: String)] = [:]
        var lastTime: Timestamp = 0
        var eventNumber: Timestamp = 0
        while !reader.atEnd() {
            let event = try reader.read()
            let (line, column) = reader.lastStart
            func fail(_ why: String) -> EDNError { EDNError(why, line: line, column: column) }
            guard case .map = event else { throw fail("expected a map of an event, found \(event)") }
            guard case .keyword(let type)? = event[keyword: "type"] else { throw fail("event without :type") }
            guard let processValue = event[keyword: "process"] else { throw fail("event without :process") }
            guard case .int(let process) = processValue else {
                continue  // :nemesis and other non-client processes
            }
            guard case .keyword(let f)? = event[keyword: "f"] else { throw fail("event without :f") }
            eventNumber += 1
            var time = eventNumber
            if case .int(let t)? = event[keyword: "time"], t >= 0 { time = Timestamp(t) }
            time = max(time, lastTime)
            lastTime = time
            let (key, value) = try keyAndValue(event, f: f, fail)
            switch type {
            case "invoke":
                if open[process] != nil { throw fail("process \(process) invokes again before its last operation completed") }
                let op = try operation(f: f, key: key, value: value, fail)
                open[process] = (history.invoke(client: ClientID(process), op: op, at: time), f)
            case "ok", "fail", "info":
                guard let (id, invokedF) = open.removeValue(forKey: process) else {
                    throw fail("process \(process) completes an operation it never invoked")
                }
                guard invokedF == f else { throw fail("process \(process) invoked :\(invokedF) but completes :\(f)") }
                history.complete(id, outcome: try outcome(type: type, f: f, value: value, event: event, fail), at: time)
            default:
                throw fail("unknown :type :\(type) (expected :invoke, :ok, :fail or :info)")
            }
        }
        return history
    }

    private static func keyAndValue(_ event: EDN, f: String,
                                    _ fail: (String) -> EDNError) throws(EDNError) -> (String, EDN) {
        let value = event[keyword: "value"] ?? .null
        if let k = event[keyword: "key"] {
            guard let key = decodeValue(k) else { throw fail(":key is nil") }
            return (key, value)
        }
        // jepsen.independent: [key value].
        if case .vector(let pair) = value, pair.count == 2, f != "cas" || isPair(pair[1]) || pair[1] == .null {
            guard let key = decodeValue(pair[0]) else { throw fail("nil key in [key value]") }
            return (key, pair[1])
        }
        return ("register", value)
    }

    private static func isPair(_ e: EDN) -> Bool {
        if case .vector(let xs) = e, xs.count == 2 { return true }
        return false
    }

    private static func operation(f: String, key: String, value: EDN,
                                  _ fail: (String) -> EDNError) throws(EDNError) -> KVOperation {
        switch f {
        case "read", "get": return .get(key: key)
        case "write", "put":
            guard let v = decodeValue(value) else { throw fail(":\(f) of nil") }
            return .put(key: key, value: v)
        case "delete": return .delete(key: key)
        case "append":
            guard let v = decodeValue(value) else { throw fail(":append of nil") }
            return .append(key: key, value: v)
        case "cas":
            guard case .vector(let pair) = value, pair.count == 2,
                  let from = decodeValue(pair[0]), let to = decodeValue(pair[1]) else {
                throw fail(":cas needs :value [from to]")
            }
            return .cas(key: key, from: from, to: to)
        default:
            throw fail("unknown :f :\(f) (expected read, write, cas, delete, get, put or append)")
        }
    }

    private static func outcome(type: String, f: String, value: EDN, event: EDN,
                                _ fail: (String) -> EDNError) throws(EDNError) -> OperationOutcome {
        switch type {
        case "info": return .unknown
        case "fail":
            if f == "cas", let current = event[keyword: "current"] { return .ok(.casFailed(current: decodeValue(current))) }
            if f == "cas", event[keyword: "error"] == .keyword("precondition-failed") { return .ok(.casMismatch) }
            return .fail
        default:
            if f == "read" || f == "get" { return .ok(.value(decodeValue(value))) }
            return .ok(.ok)
        }
    }
}
