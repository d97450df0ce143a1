/// A breadth-first linearizability search over one register, used when the depth-first
/// `RegisterSearch` runs out of budget (typically on a history that is *not* linearizable, where
/// a depth-first search must memoize every reachable configuration before it can say so).
///
/// This is Lowe's just-in-time linearization: events are processed in time order while keeping the
/// frontier, the set of every configuration (which open operations are linearized, register value)
/// consistent with the history so far. Operations are linearized lazily: when a required operation
/// returns, each configuration that has not linearized it is extended by every sequence of open
/// operations ending with it. Once an operation has returned (or an optional write has passed its
/// deadline, see `RegisterSearch`), it leaves the configurations, so a configuration only describes
/// the few operations in flight and memory stays proportional to the frontier.
struct FrontierSearch {
    /// A configuration: a bit per slot of an open operation (1: linearized), and the register value.
    private struct Configuration: Hashable {
        var mask: UInt64
        var value: Int32
    }

    let ops: [RegisterSearch.Op]

    init(ops: [RegisterSearch.Op]) {
        self.ops = ops
    }

    /// Run the search; gives up when a frontier (or one return's expansion) exceeds `maxStates`
    /// configurations, or when more than 64 operations are in flight at once.
    /// `explored` receives the number of configurations generated in total.
    func run(maxStates: Int, explored: inout Int) -> RegisterSearch.Verdict {
        explored = 0
        let n = ops.count
        // Events in time order; at equal times calls, then returns, then deadlines.
        var events: [(time: Timestamp, kind: UInt8, op: Int)] = []
        events.reserveCapacity(2 * n)
        for (i, op) in ops.enumerated() {
            events.append((op.invoke, 0, i))
            events.append((op.complete, op.optional ? 2 : 1, i))
        }
        events.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.kind != b.kind { return a.kind < b.kind }
            return a.op < b.op
        }

        var frontier: Set<Configuration> = [Configuration(mask: 0, value: 0)]
        var slotOf = [Int](repeating: -1, count: n)
        var opInSlot = [Int](repeating: -1, count: 64)
        var usedSlots: UInt64 = 0

        for event in events {
            let i = event.op
            switch event.kind {
            case 0:
                guard usedSlots != .max else { return .tooComplex }
                let s = (~usedSlots).trailingZeroBitCount
                usedSlots |= 1 << UInt64(s)
                slotOf[i] = s
                opInSlot[s] = i
            case 1:
                let bit: UInt64 = 1 << UInt64(slotOf[i])
                var result = Set<Configuration>()
                var visited = Set<Configuration>()
                var work: [Configuration] = []
                for c in frontier {
                    if c.mask & bit != 0 {
                        result.insert(Configuration(mask: c.mask & ~bit, value: c.value))
                    } else if visited.insert(c).inserted {
                        work.append(c)
                    }
                }
                // Extend by sequences of open operations until `i` is linearized.
                while let c = work.popLast() {
                    var pending = usedSlots & ~c.mask
                    while pending != 0 {
                        let s = pending.trailingZeroBitCount
                        pending &= pending - 1
                        let op = ops[opInSlot[s]]
                        if op.isRead && op.value != c.value { continue }
                        let next = Configuration(mask: c.mask | (1 << UInt64(s)), value: op.isRead ? c.value : op.value)
                        if opInSlot[s] == i {
                            result.insert(Configuration(mask: next.mask & ~bit, value: next.value))
                        } else if visited.insert(next).inserted {
                            work.append(next)
                        }
                    }
                    if visited.count > maxStates { explored += visited.count; return .tooComplex }
                }
                explored += visited.count + result.count
                if result.isEmpty { return .notLinearizable }
                if result.count > maxStates { return .tooComplex }
                frontier = result
                usedSlots &= ~bit
                slotOf[i] = -1
            default:
                // An optional write's deadline: linearized or not, it is done with.
                let bit: UInt64 = 1 << UInt64(slotOf[i])
                var result = Set<Configuration>()
                for c in frontier { result.insert(Configuration(mask: c.mask & ~bit, value: c.value)) }
                frontier = result
                usedSlots &= ~bit
                slotOf[i] = -1
            }
        }
        return .linearizable
    }
}
