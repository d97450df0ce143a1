/// The Wing & Gong / Lowe linearizability search over one register (one key's sub-history).
///
/// Calls and returns of the operations form a doubly linked list in time order. The search walks it
/// from the front: at a call it tries to linearize that operation next (apply it to the register;
/// for a read, the value must match), and if the resulting configuration — the set of linearized
/// operations and the register value — was never seen, it removes the operation's call and return
/// from the list and starts again from the front. Reaching a return whose operation is not
/// linearized means the choices so far are wrong: the last one is undone and the walk resumes after
/// its call. Configurations already seen are known to fail (a depth-first search only revisits
/// finished ones), which is what keeps the search polynomial on typical histories.
///
/// Optional operations (writes with an unknown outcome) have no return: they may be linearized at
/// any point after their call, or never. The search succeeds once every required operation is linearized.
///
/// Two steps are taken without branching, because they cannot make a completable configuration
/// fail nor a failing one completable:
/// - a callable read of the current value is linearized at once (it changes nothing, and every
///   operation that must precede it is already linearized);
/// - an optional write still pending once every read of its value has returned is dropped (no
///   read could observe it any more). Optional writes whose value no read returns after their call
///   are dropped before the search.
///
/// And one symmetry is used: optional writes of one value that have all been invoked are
/// interchangeable (same effect, same deadline), so they are taken in invoke order only — k of
/// them give k + 1 configurations instead of 2^k.
struct RegisterSearch {
    enum Verdict: Sendable, Equatable {
        case linearizable
        case notLinearizable
        case tooComplex
    }

    /// One operation in register terms. Value 0 is nil; others index distinct strings.
    struct Op {
        var isRead: Bool
        var value: Int32
        var invoke: Timestamp
        /// The return for a required operation; for an optional write, when it is dropped.
        var complete: Timestamp
        var optional: Bool
    }

    /// The operations searched, in invoke order.
    private(set) var ops: [Op] = []
    /// For an optional write, the previous optional write of the same value (-1 if none).
    private(set) var previousOptional: [Int] = []

    /// Translate one key's operations (see `LinearizabilityChecker` for how outcomes are read).
    init(operations: [HistoryOperation]) {
        var valueIDs: [String: Int32] = [:]
        func intern(_ v: String?) -> Int32 {
            guard let v else { return 0 }
            if let id = valueIDs[v] { return id }
            let id = Int32(valueIDs.count + 1)
            valueIDs[v] = id
            return id
        }
        var candidates: [Op] = []
        for h in operations.sorted(by: { ($0.invoke, $0.id) < ($1.invoke, $1.id) }) {
            let complete = max(h.complete ?? .max, h.invoke)
            switch (h.op, h.outcome) {
            case (.get, .ok(.value(let v))):
                candidates.append(Op(isRead: true, value: intern(v), invoke: h.invoke, complete: complete, optional: false))
            case (.get, _), (_, .fail):
                continue
            case (.put(_, let v), .ok):
                candidates.append(Op(isRead: false, value: intern(v), invoke: h.invoke, complete: complete, optional: false))
            case (.put(_, let v), .unknown):
                candidates.append(Op(isRead: false, value: intern(v), invoke: h.invoke, complete: .max, optional: true))
            case (.delete, .ok):
                candidates.append(Op(isRead: false, value: 0, invoke: h.invoke, complete: complete, optional: false))
            case (.delete, .unknown):
                candidates.append(Op(isRead: false, value: 0, invoke: h.invoke, complete: .max, optional: true))
            case (.cas, _), (.append, _):
                preconditionFailure("RegisterSearch handles get, put and delete only; the checker sends cas and append to ModelSearch")
            }
        }
        // An optional write matters only until the last read of its value returns.
        var lastRead: [Int32: Timestamp] = [:]
        for op in candidates where op.isRead { lastRead[op.value] = max(lastRead[op.value] ?? 0, op.complete) }
        ops = []
        var lastOptional: [Int32: Int] = [:]
        for var op in candidates {
            var previous = -1
            if op.optional {
                guard let deadline = lastRead[op.value], deadline >= op.invoke else { continue }
                op.complete = deadline
                previous = lastOptional[op.value] ?? -1
                lastOptional[op.value] = ops.count
            }
            ops.append(op)
            previousOptional.append(previous)
        }
    }

    /// A memoized configuration: the register value and the set of linearized (or dropped)
    /// operations, stored as `prefix` (every operation below it is in the set) and the bit words
    /// from the one holding `prefix` to the last non-zero one.
    private struct Configuration: Hashable {
        var prefix: Int
        var value: Int32
        var word0: UInt64
        var word1: UInt64
        var rest: [UInt64]
        var zobrist: UInt64

        func hash(into hasher: inout Hasher) {
            hasher.combine(zobrist)
            hasher.combine(value)
        }

        static func == (a: Configuration, b: Configuration) -> Bool {
            a.zobrist == b.zobrist && a.value == b.value && a.prefix == b.prefix
                && a.word0 == b.word0 && a.word1 == b.word1 && a.rest == b.rest
        }
    }

    /// What a node of the event list stands for.
    private enum EventKind: UInt8 {
        case call = 0
        case ret = 1
        /// An optional write's deadline.
        case drop = 2
    }

    /// Run the search, memoizing at most `maxStates` configurations.
    func run(maxStates: Int) -> Verdict {
        var explored = 0
        return run(maxStates: maxStates, explored: &explored)
    }

    /// Run the search; `explored` receives how many configurations were memoized.
    func run(maxStates: Int, explored: inout Int) -> Verdict {
        var seen = Set<Configuration>()
        defer { explored = seen.count }
        let n = ops.count
        var required = ops.reduce(0) { $0 + ($1.optional ? 0 : 1) }
        if required == 0 { return .linearizable }

        // Events in time order; at equal times calls come first (touching operations are
        // concurrent), then returns, then deadlines.
        var events: [(time: Timestamp, kind: EventKind, op: Int)] = []
        events.reserveCapacity(2 * n)
        for (i, op) in ops.enumerated() {
            events.append((op.invoke, .call, i))
            events.append((op.complete, op.optional ? .drop : .ret, i))
        }
        events.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
            return a.op < b.op
        }

        // Node 0 is the head; node k (1...m) is events[k-1]; -1 ends the list.
        let m = events.count
        var next = [Int](repeating: -1, count: m + 1)
        var prev = [Int](repeating: -1, count: m + 1)
        for k in 0...m {
            next[k] = k < m ? k + 1 : -1
            prev[k] = k - 1
        }
        var callNode = [Int](repeating: -1, count: n)
        var endNode = [Int](repeating: -1, count: n)
        for (k, e) in events.enumerated() {
            if e.kind == .call { callNode[e.op] = k + 1 } else { endNode[e.op] = k + 1 }
        }
        func unlink(_ x: Int) {
            next[prev[x]] = next[x]
            if next[x] != -1 { prev[next[x]] = prev[x] }
        }
        func relink(_ x: Int) {
            next[prev[x]] = x
            if next[x] != -1 { prev[next[x]] = x }
        }

        var zobristKeys = [UInt64](repeating: 0, count: n)
        var seed: UInt64 = 0x5DEE_CE66_D1CE_4E5B
        for i in 0..<n { zobristKeys[i] = splitMix64(&seed) }

        // The set of linearized or dropped operations.
        var bits = [UInt64](repeating: 0, count: n / 64 + 2)
        var prefix = 0      // the lowest operation not in the set
        var highWord = 0    // no bit is set above this word
        var zobrist: UInt64 = 0
        var value: Int32 = 0
        /// Steps taken, latest last; `forced` marks steps taken without a choice.
        var stack: [(op: Int, value: Int32, forced: Bool)] = []

        func configuration(value: Int32) -> Configuration {
            let w = prefix >> 6
            while highWord > w, bits[highWord] == 0 { highWord -= 1 }
            let rest: [UInt64] = highWord > w + 1 ? Array(bits[(w + 2)...highWord]) : []
            return Configuration(prefix: prefix, value: value, word0: bits[w], word1: bits[w + 1],
                                 rest: rest, zobrist: zobrist)
        }
        func insertBit(_ i: Int) {
            bits[i >> 6] |= 1 << UInt64(i & 63)
            zobrist ^= zobristKeys[i]
            highWord = max(highWord, i >> 6)
            if i == prefix {
                var w = prefix >> 6
                var word = bits[w] | ((1 << UInt64(prefix & 63)) - 1)
                while word == .max, w < bits.count - 1 {
                    w += 1
                    word = bits[w]
                }
                prefix = min(n, w * 64 + (~word).trailingZeroBitCount)
            }
        }
        func removeBit(_ i: Int) {
            bits[i >> 6] &= ~(1 << UInt64(i & 63))
            zobrist ^= zobristKeys[i]
            prefix = min(prefix, i)
        }

        /// Take operation `i` (linearize it, or drop it if optional and `drop`) if the configuration
        /// it leads to is new. Returns whether the step was taken (false: it is known to fail).
        func take(_ i: Int, forced: Bool, drop: Bool = false) -> Bool {
            let op = ops[i]
            let newValue = op.isRead || drop ? value : op.value
            insertBit(i)
            guard seen.insert(configuration(value: newValue)).inserted else {
                removeBit(i)
                return false
            }
            stack.append((i, value, forced))
            value = newValue
            unlink(callNode[i])
            unlink(endNode[i])
            if !op.optional { required -= 1 }
            return true
        }

        /// Undo steps up to and including the last chosen one; returns where to resume the walk,
        /// or nil if nothing is left to undo. A configuration reached by a forced step fails exactly
        /// when the one before it does, so a forced step is never a place to resume.
        func backtrack() -> Int? {
            while let top = stack.popLast() {
                let j = top.op
                value = top.value
                removeBit(j)
                relink(endNode[j])
                relink(callNode[j])
                if !ops[j].optional { required += 1 }
                if !top.forced { return next[callNode[j]] }
            }
            return nil
        }

        seen.insert(configuration(value: value))
        var fresh = true
        var entry = next[0]
        while true {
            if seen.count > maxStates { return .tooComplex }
            if fresh {
                // A new configuration: take a forced step if one is possible.
                fresh = false
                var k = next[0]
                var forced: (op: Int, drop: Bool)?
                scan: while k != -1 {
                    let e = events[k - 1]
                    switch e.kind {
                    case .ret: break scan
                    case .drop: forced = (e.op, true); break scan
                    case .call:
                        if ops[e.op].isRead && ops[e.op].value == value { forced = (e.op, false); break scan }
                    }
                    k = next[k]
                }
                if let forced {
                    if take(forced.op, forced: true, drop: forced.drop) {
                        if required == 0 { return .linearizable }
                        fresh = true
                        continue
                    }
                    guard let resume = backtrack() else { return .notLinearizable }
                    entry = resume
                    continue
                }
                entry = next[0]
            }
            // Every required operation's return is in the list, so a walk never runs off its end.
            guard entry != -1 else { return .notLinearizable }
            let event = events[entry - 1]
            switch event.kind {
            case .call:
                // Reads of the current value were taken by the forced step; other reads cannot go here.
                // An optional write goes only after the previous one of its value (symmetry).
                let i = event.op
                let previous = previousOptional[i]
                let inTurn = previous < 0 || bits[previous >> 6] & (1 << UInt64(previous & 63)) != 0
                if !ops[i].isRead, inTurn, take(i, forced: false) {
                    if required == 0 { return .linearizable }
                    fresh = true
                    continue
                }
                entry = next[entry]
            case .drop:
                // Unreachable: a configuration with a deadline before its first return took it as a forced step.
                entry = next[entry]
            case .ret:
                // A required operation returned before we linearized it: undo the last choice.
                guard let resume = backtrack() else { return .notLinearizable }
                entry = resume
            }
        }
    }
}

/// One step of SplitMix64: a fixed, platform-independent sequence of well-mixed 64-bit values.
func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
