import KV

/// The verdict of `LinearizabilityChecker.check(_:)`.
public enum LinearizabilityResult: Sendable {
    /// Every key's sub-history has a linearization.
    case linearizable
    /// No linearization exists for `key`. `operations` is that key's sub-history in invoke order
    /// (the smallest failing one when several keys fail).
    case violation(key: String, operations: [HistoryOperation])
    /// The search for `key` visited more states than allowed without reaching a verdict.
    case tooComplex(key: String)
}

/// Decides whether a key-value history is linearizable with respect to a register per key
/// (initially nil; `put` sets the value, `delete` sets it to nil, `get` reads it, `cas` sets it if it
/// holds the expected value, `append` extends the string).
///
/// Keys are independent (linearizability is compositional), so each key's sub-history is checked
/// on its own with the Wing & Gong / Lowe search, memoizing every (set of linearized operations,
/// register value) configuration already explored.
///
/// Outcomes are read as follows:
/// - `.ok`: the operation took effect between its invocation and its completion;
/// - `.fail`: it did not take effect, and is ignored;
/// - `.unknown` write: it may take effect at any time after its invocation, or never;
/// - `.unknown` read: it constrains nothing, and is ignored (so is a read whose result is not a value).
///
/// Operations that touch at one instant (one completes when the other is invoked) count as concurrent.
public struct LinearizabilityChecker: Sendable {
    /// The most configurations the search may memoize for one key before giving up with `.tooComplex`.
    public var maxStatesPerKey: Int

    /// A checker that gives up on a key after `maxStatesPerKey` explored configurations.
    public init(maxStatesPerKey: Int = 5_000_000) {
        self.maxStatesPerKey = maxStatesPerKey
    }

    /// Check `history`. Keys are examined in sorted order, so the verdict is deterministic.
    public func check(_ history: History) -> LinearizabilityResult {
        var byKey: [String: [HistoryOperation]] = [:]
        for op in history.operations { byKey[op.op.key, default: []].append(op) }

        var failing: (key: String, operations: [HistoryOperation])?
        var tooComplex: String?
        for key in byKey.keys.sorted() {
            let ops = byKey[key]!.sorted { ($0.invoke, $0.id) < ($1.invoke, $1.id) }
            if let f = failing, ops.count >= f.operations.count { continue }
            switch checkKey(ops) {
            case .linearizable:
                break
            case .notLinearizable:
                failing = (key, ops)
            case .tooComplex:
                if tooComplex == nil { tooComplex = key }
            }
        }
        if let f = failing { return .violation(key: f.key, operations: f.operations) }
        if let k = tooComplex { return .tooComplex(key: k) }
        return .linearizable
    }

    /// Check the operations of one key (all with that key): by the register search when it holds
    /// only reads and blind writes, by the general model search when it has a cas or an append.
    func checkKey(_ ops: [HistoryOperation]) -> RegisterSearch.Verdict {
        let general = ops.contains {
            switch $0.op {
            case .cas, .append: return true
            case .get, .put, .delete: return false
            }
        }
        if general {
            var search = ModelSearch(operations: ops)
            return search.run(maxStates: maxStatesPerKey)
        }
        return RegisterSearch(operations: ops).run(maxStates: maxStatesPerKey)
    }
}

extension LinearizabilityChecker {
    /// Where the search for one failing key got stuck: the operation whose completion no order of
    /// the operations before it could explain (at the deepest point the search reached), and the
    /// operations around it — those overlapping it in time, and the `context` completed just before.
    public func explain(_ ops: [HistoryOperation], context: Int = 5) -> (stuck: HistoryOperation?, window: [HistoryOperation]) {
        var search = ModelSearch(operations: ops)
        guard search.run(maxStates: maxStatesPerKey) == .notLinearizable, let id = search.stuckAt,
              let stuck = ops.first(where: { $0.id == id }) else { return (nil, ops) }
        let end = stuck.complete ?? .max
        let overlapping = ops.filter { $0.invoke <= end && ($0.complete ?? .max) >= stuck.invoke }
        let before = ops.filter { ($0.complete ?? .max) < stuck.invoke }
            .sorted { ($0.complete!, $0.id) < ($1.complete!, $1.id) }.suffix(context)
        let ids = Set(overlapping.map(\.id)).union(before.map(\.id))
        return (stuck, ops.filter { ids.contains($0.id) }.sorted { ($0.invoke, $0.id) < ($1.invoke, $1.id) })
    }
}

/// Render a sub-history one operation per line: id, client, operation, invoke .. complete as
/// instants (`t=0.312s`, the one time format of every output) and outcome, columns aligned.
public func describe(_ ops: [HistoryOperation]) -> String {
    let rows: [[String]] = ops.map { op in
        let span = "\(TimeFormat.instant(op.invoke)) .. " + (op.complete.map(TimeFormat.instant) ?? "never")
        return ["#\(op.id)", "client \(op.client)", describeOperation(op.op), span, describeOutcome(op.outcome, of: op.op)]
    }
    guard let columns = rows.first?.count else { return "" }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    var lines: [String] = []
    for row in rows {
        var line = ""
        for (i, cell) in row.enumerated() {
            line += cell
            if i < columns - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
        }
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}

/// `put k v`, `get k`, `delete k`.
func describeOperation(_ op: KVOperation) -> String {
    ValueText.operation(op)
}

/// `ok`, `-> v`, `-> none`, `fail`, `unknown`.
func describeOutcome(_ outcome: OperationOutcome, of op: KVOperation) -> String {
    switch outcome {
    case .ok(.ok): return "ok"
    case .ok(.value(let v)): return "-> " + (v.map(renderValue) ?? "none")
    case .ok(.casFailed(let v)): return "cas failed -> " + (v.map(renderValue) ?? "none")
    case .ok(.casMismatch): return "cas failed"
    case .fail: return "fail"
    case .unknown: return "unknown"
    }
}

/// A key or value as typed in the scenario language, quoted only when it would be ambiguous
/// (`ValueText.display`).
func renderValue(_ s: String) -> String {
    ValueText.display(s)
}
