import KV
import Check

extension KVOperation {
    /// The operation as a scenario line (canonical source: parsing it gives the operation back).
    public var sourceText: String {
        switch self {
        case .put(let k, let v): return "put \(k) \(Literals.quoteIfNeeded(v))"
        case .get(let k): return "get \(k)"
        case .delete(let k): return "delete \(k)"
        case .cas(let k, let from, let to):
            return "cas \(k) \(Literals.quoteIfNeeded(from)) \(Literals.quoteIfNeeded(to))"
        case .append(let k, let v): return "append \(k) \(Literals.quoteIfNeeded(v))"
        }
    }

    /// The operation as outputs show it: keys and values through `ValueText.display`.
    var displayText: String { ValueText.operation(self) }
}
