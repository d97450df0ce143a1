import Check
import KV
import RaftCore
@_exported import TestSupport  // the shared SplitMix64, for every file of this target

typealias SeededGenerator = SplitMix64

/// Milliseconds to nanoseconds.
func ms(_ v: Double) -> Timestamp { Timestamp(v * 1_000_000) }

/// One operation of a hand-written history: times in milliseconds, `to == nil` for never completed.
struct Spec {
    var client: ClientID
    var op: KVOperation
    var from: Double
    var to: Double?
    var outcome: OperationOutcome
}

func put(_ c: ClientID, _ k: String, _ v: String, _ from: Double, _ to: Double?, _ outcome: OperationOutcome = .ok(.ok)) -> Spec {
    Spec(client: c, op: .put(key: k, value: v), from: from, to: to, outcome: outcome)
}

func del(_ c: ClientID, _ k: String, _ from: Double, _ to: Double?, _ outcome: OperationOutcome = .ok(.ok)) -> Spec {
    Spec(client: c, op: .delete(key: k), from: from, to: to, outcome: outcome)
}

/// A get that returned `v` (nil: the key was absent).
func get(_ c: ClientID, _ k: String, _ v: String?, _ from: Double, _ to: Double) -> Spec {
    Spec(client: c, op: .get(key: k), from: from, to: to, outcome: .ok(.value(v)))
}

/// Build a history through the public recording API, invoking in time order.
func history(_ specs: [Spec]) -> History {
    var h = History()
    let order = specs.indices.sorted { (specs[$0].from, $0) < (specs[$1].from, $1) }
    var ids: [Int: Int] = [:]
    for i in order { ids[i] = h.invoke(client: specs[i].client, op: specs[i].op, at: ms(specs[i].from)) }
    for i in order {
        if let to = specs[i].to { h.complete(ids[i]!, outcome: specs[i].outcome, at: ms(to)) }
    }
    return h
}

extension LinearizabilityResult {
    var isLinearizable: Bool { if case .linearizable = self { return true } else { return false } }
    var isViolation: Bool { if case .violation = self { return true } else { return false } }
    var violationKey: String? { if case .violation(let k, _) = self { return k } else { return nil } }
    var violationOperations: [HistoryOperation] {
        if case .violation(_, let ops) = self { return ops } else { return [] }
    }
}

/// A random history produced by simulated clients against one atomic register per key: each
/// operation takes effect at a random instant inside its [invoke, complete] interval, so the
/// history is linearizable by construction.
///
/// Some writes time out (`unknownRate`): half of those took effect, half never did; some fail
/// outright (`failRate`) and have no effect. Clients are sequential; their operations overlap.
func randomLinearizableHistory(operations: Int, clients: Int, keys: Int, seed: UInt64,
                               unknownRate: Double = 0.03, failRate: Double = 0.02,
                               casAppendRate: Double = 0) -> History {
    var rng = SeededGenerator(seed: seed)
    struct Gen {
        var client: ClientID
        var op: KVOperation
        var invoke: Timestamp
        var complete: Timestamp?
        var point: Timestamp?  // when it took effect; nil if it never did
        var outcome: OperationOutcome
    }
    var cursor = [Timestamp](repeating: 0, count: clients)
    var ops: [Gen] = []
    for _ in 0..<operations {
        // The client that is free first issues the next operation.
        let c = cursor.indices.min { (cursor[$0], $0) < (cursor[$1], $1) }!
        let invoke = cursor[c] + Timestamp.random(in: 0...2_000_000, using: &rng)
        let duration = Timestamp.random(in: 100_000...5_000_000, using: &rng)
        let complete = invoke + duration
        let point = invoke + Timestamp.random(in: 0...duration, using: &rng)
        let key = "k\(Int.random(in: 0..<keys, using: &rng))"
        let r = Double.random(in: 0..<1, using: &rng)
        var op: KVOperation = r < 0.5 ? .get(key: key)
            : r < 0.9 ? .put(key: key, value: "v\(ops.count)") : .delete(key: key)
        if casAppendRate > 0, !op.isRead, Double.random(in: 0..<1, using: &rng) < casAppendRate {
            // A cas expecting a recent value (often the current one), or an append of a short suffix.
            op = Bool.random(using: &rng)
                ? .cas(key: key, from: "v\(max(0, ops.count - Int.random(in: 1...6, using: &rng)))", to: "v\(ops.count)")
                : .append(key: key, value: ".\(ops.count % 10)")
        }
        var g = Gen(client: ClientID(c + 1), op: op, invoke: invoke, complete: complete, point: point,
                    outcome: op.isRead ? .ok(.value(nil)) : .ok(.ok))
        let fate = Double.random(in: 0..<1, using: &rng)
        if !op.isRead && fate < unknownRate {
            g.outcome = .unknown
            if Bool.random(using: &rng) { g.point = nil }
            // A timed-out client gives up later; some never hear back at all.
            g.complete = Bool.random(using: &rng) ? complete + 10_000_000 : nil
        } else if fate < unknownRate + failRate {
            g.outcome = .fail
            g.point = nil
        }
        cursor[c] = g.complete ?? complete
        ops.append(g)
    }
    // Apply in the order the operations took effect to learn what each get returned.
    var register: [String: String] = [:]
    let effective = ops.indices.filter { ops[$0].point != nil }.sorted { (ops[$0].point!, $0) < (ops[$1].point!, $1) }
    for i in effective {
        switch ops[i].op {
        case .put(let k, let v): register[k] = v
        case .delete(let k): register[k] = nil
        case .get(let k): ops[i].outcome = .ok(.value(register[k]))
        case .append(let k, let v): register[k, default: ""] += v
        case .cas(let k, let from, let to):
            if register[k] == from {
                register[k] = to
                if ops[i].outcome != .unknown { ops[i].outcome = .ok(.ok) }
            } else if ops[i].outcome != .unknown {
                ops[i].outcome = .ok(.casFailed(current: register[k]))
            }
        }
    }
    var h = History()
    let byInvoke = ops.indices.sorted { (ops[$0].invoke, $0) < (ops[$1].invoke, $1) }
    var ids = [Int](repeating: 0, count: ops.count)
    for i in byInvoke { ids[i] = h.invoke(client: ops[i].client, op: ops[i].op, at: ops[i].invoke) }
    for i in byInvoke {
        if let t = ops[i].complete { h.complete(ids[i], outcome: ops[i].outcome, at: t) }
    }
    return h
}
