import KV

/// The Wing & Gong / Lowe linearizability search over one key for any operation of the store
/// (get, put, delete, compare-and-set, append), as porcupine does it: the calls and returns of the
/// operations form a doubly linked list in time order; the search linearizes the first call it can
/// (the model accepts the operation's result in the current state), lifts its call and return from
/// the list and starts again from the front; reaching a return whose operation is not linearized
/// undoes the last choice. Every configuration (linearized set, value) is memoized, so none is
/// explored twice.
///
/// An operation with an unknown outcome has no return: it may take effect at any point after its
/// call; taking effect after everything else is the same as never. A failed operation is ignored,
/// and so is a read without a value.
///
/// `RegisterSearch` is faster for histories of reads and blind writes (get/put/delete): it prunes
/// writes no read can observe, which is unsound for compare-and-set and append. The checker uses
/// this search for keys that have either.
struct ModelSearch {
    /// One operation in model terms.
    private struct Op {
        enum Effect {
            /// Succeeds when the value equals `expected` (a read, or a cas that found `expected`).
            case read(expected: Int32)
            /// Sets the value.
            case write(Int32)
            /// Sets `to` if the value is `from` (an unknown-outcome cas: either way it is accepted).
            case cas(from: Int32, to: Int32, mustApply: Bool)
            /// A cas that certainly found something other than `from`: the value must be `found`.
            case casFailed(from: Int32, found: Int32)
            /// A cas that found some present value other than `from`.
            case casMismatch(from: Int32)
            /// Appends a suffix.
            case append(String)
        }
        var effect: Effect
        /// The history operation's id.
        var id: Int
        var invoke: Timestamp
        /// nil: no return (unknown outcome).
        var complete: Timestamp?
    }

    private var ops: [Op] = []
    /// After a `.notLinearizable` run: the id of the operation whose return the search could not get
    /// past at its deepest point (the most operations linearized), where a person should look.
    private(set) var stuckAt: Int?
    /// Interned values: 0 is absent, others index `strings`.
    private var ids: [String: Int32] = [:]
    private var strings: [String] = [""]

    init(operations: [HistoryOperation]) {
        for h in operations.sorted(by: { ($0.invoke, $0.id) < ($1.invoke, $1.id) }) {
            let done: Timestamp? = h.complete.map { max($0, h.invoke) }
            let effect: Op.Effect
            switch (h.op, h.outcome) {
            case (_, .fail), (.get, .unknown):
                continue
            case (.get, .ok(.value(let v))):
                effect = .read(expected: intern(v))
            case (.get, .ok):
                continue
            case (.put(_, let v), _):
                effect = .write(intern(v))
            case (.delete, _):
                effect = .write(0)
            case (.cas(_, let from, let to), .ok(.ok)):
                effect = .cas(from: intern(from), to: intern(to), mustApply: true)
            case (.cas(_, let from, _), .ok(.casFailed(let found))):
                effect = .casFailed(from: intern(from), found: intern(found))
            case (.cas(_, let from, _), .ok(.casMismatch)):
                effect = .casMismatch(from: intern(from))
            case (.cas(_, let from, let to), .unknown):
                effect = .cas(from: intern(from), to: intern(to), mustApply: false)
            case (.cas, .ok):
                continue
            case (.append(_, let v), _):
                effect = .append(v)
            }
            ops.append(Op(effect: effect, id: h.id, invoke: h.invoke, complete: h.outcome == .unknown ? nil : done))
        }
    }

    private mutating func intern(_ v: String?) -> Int32 {
        guard let v else { return 0 }
        if let id = ids[v] { return id }
        let id = Int32(strings.count)
        strings.append(v)
        ids[v] = id
        return id
    }

    /// The model: whether `op` may take effect on `value`, and the value after it.
    private mutating func step(_ op: Op, _ value: Int32) -> Int32? {
        switch op.effect {
        case .read(let expected): return value == expected ? value : nil
        case .write(let v): return v
        case .cas(let from, let to, let mustApply):
            if value == from { return to }
            return mustApply ? nil : value
        case .casFailed(let from, let found): return value == found && value != from ? value : nil
        case .casMismatch(let from): return value != 0 && value != from ? value : nil
        case .append(let suffix): return intern((value == 0 ? "" : strings[Int(value)]) + suffix)
        }
    }

    private struct Configuration: Hashable {
        var linearized: [UInt64]
        var value: Int32
    }

    /// Run the search, memoizing at most `maxStates` configurations.
    mutating func run(maxStates: Int) -> RegisterSearch.Verdict {
        let n = ops.count
        if n == 0 { return .linearizable }
        // Events: calls, and returns of operations that have one; calls first at equal times.
        var events: [(time: Timestamp, isReturn: Bool, op: Int)] = []
        for (i, op) in ops.enumerated() {
            events.append((op.invoke, false, i))
            if let c = op.complete { events.append((c, true, i)) }
        }
        events.sort { ($0.time, $0.isReturn ? 1 : 0, $0.op) < ($1.time, $1.isReturn ? 1 : 0, $1.op) }
        let count = events.count
        // A doubly linked list over the events, with a head sentinel at `count`.
        var next = Array(1...count) + [0]
        var prev = [count] + Array(0..<count)
        next[count - 1] = -1
        next[count] = 0
        prev[0] = count
        var callAt = [Int](repeating: -1, count: n), returnAt = [Int](repeating: -1, count: n)
        for (e, ev) in events.enumerated() {
            if ev.isReturn { returnAt[ev.op] = e } else { callAt[ev.op] = e }
        }
        func unlink(_ e: Int) {
            let p = prev[e], q = next[e]
            next[p] = q
            if q >= 0 { prev[q] = p }
        }
        func relink(_ e: Int) {
            let p = prev[e], q = next[e]
            next[p] = e
            if q >= 0 { prev[q] = e }
        }
        var linearized = [UInt64](repeating: 0, count: (n + 63) / 64)
        var value: Int32 = 0
        var seen = Set<Configuration>()
        var stack: [(op: Int, value: Int32)] = []
        var deepest = -1
        var e = next[count]
        while next[count] >= 0 {
            if e >= 0, !events[e].isReturn {
                let ev = events[e]
                if let after = step(ops[ev.op], value) {
                    var lin = linearized
                    lin[ev.op / 64] |= 1 << UInt64(ev.op % 64)
                    if seen.insert(Configuration(linearized: lin, value: after)).inserted {
                        if seen.count > maxStates { return .tooComplex }
                        stack.append((ev.op, value))
                        linearized = lin
                        value = after
                        unlink(callAt[ev.op])
                        if returnAt[ev.op] >= 0 { unlink(returnAt[ev.op]) }
                        e = next[count]
                        continue
                    }
                }
                e = next[e]
            } else {
                // A return whose operation is not linearized (or the end of the list with calls
                // left that could not be taken): undo the last choice.
                if e >= 0, stack.count > deepest {
                    deepest = stack.count
                    stuckAt = ops[events[e].op].id
                }
                guard let (op, before) = stack.popLast() else { return .notLinearizable }
                linearized[op / 64] &= ~(1 << UInt64(op % 64))
                value = before
                if returnAt[op] >= 0 { relink(returnAt[op]) }
                relink(callAt[op])
                e = next[callAt[op]]
            }
        }
        return .linearizable
    }
}
