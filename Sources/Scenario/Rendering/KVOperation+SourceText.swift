import KV

extension KVOperation {
    /// The operation as a scenario line.
    public var sourceText: String {
        switch self {
        case .put(let k, let v): return "put \(k) \(OperationText.quoteIfNeeded(v))"
        case .get(let k): return "get \(k)"
        case .delete(let k): return "delete \(k)"
        case .cas(let k, let from, let to):
            return "cas \(k) \(OperationText.quoteIfNeeded(from)) \(OperationText.quoteIfNeeded(to))"
        case .append(let k, let v): return "append \(k) \(OperationText.quoteIfNeeded(v))"
        }
    }
}
