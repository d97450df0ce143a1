import KV
import Check

/// The kinds of operation a workload can issue.
public enum WorkloadOperation: String, Sendable, Hashable, CaseIterable {
    case get, put, cas, append, delete
}

/// The shape of a background client workload (the proposal's simulator: N clients issuing a mix of
/// gets and puts against the cluster; optionally compare-and-set, append and delete too).
public struct WorkloadSpec: Sendable, Hashable {
    /// Concurrent clients, each with at most one operation in flight.
    public var clients: Int = 8
    /// Operations to issue in all.
    public var requests: Int = 500
    /// Fraction of operations that are gets (the rest are puts).
    public var readRatio: Double = 0.8
    /// Keys are drawn uniformly from `k0 ... k(keys-1)`.
    public var keys: Int = 16
    /// Operations started per second across all clients (nil: as fast as answers come back).
    public var rate: Double? = nil
    /// Bytes per value written.
    public var valueSize: Int = 8
    /// Per-operation give-up time (nil: keep retrying until the workload stops).
    public var opTimeout: Timestamp? = nil
    /// The operations and their shares (`ops get:6,put:2,cas:1,append:1`); nil: gets with
    /// probability `readRatio`, puts otherwise.
    public var mix: [WorkloadMixEntry]? = nil

    public init(clients: Int = 8, requests: Int = 500, readRatio: Double = 0.8, keys: Int = 16,
                rate: Double? = nil, valueSize: Int = 8, opTimeout: Timestamp? = nil) {
        self.clients = clients
        self.requests = requests
        self.readRatio = readRatio
        self.keys = keys
        self.rate = rate
        self.valueSize = valueSize
        self.opTimeout = opTimeout
    }

    /// Throws with a message naming the bad setting.
    public func validate() throws(ClusterError) {
        if clients < 1 { throw ClusterError("a workload needs at least 1 client") }
        if requests < 0 { throw ClusterError("requests must be 0 or more") }
        if !(0...1).contains(readRatio) { throw ClusterError("ratio must be between 0 and 1 (got \(readRatio))") }
        if keys < 1 { throw ClusterError("keys must be at least 1") }
        if let r = rate, !(r > 0) { throw ClusterError("rate must be above 0") }
        if valueSize < 1 || valueSize > 16_384 { throw ClusterError("value-size must be 1...16384 bytes") }
        if let mix {
            if mix.isEmpty || mix.contains(where: { !($0.share >= 0) }) || mix.reduce(0, { $0 + $1.share }) <= 0 {
                throw ClusterError("ops needs at least one operation with a share above 0")
            }
        }
    }
}

/// One operation kind of a workload mix and its share (shares are relative weights).
public struct WorkloadMixEntry: Sendable, Hashable {
    public var operation: WorkloadOperation
    public var share: Double
    public init(_ operation: WorkloadOperation, share: Double) {
        self.operation = operation
        self.share = share
    }
}

/// Draws a workload's operations: every kind of cluster uses it, so one seed gives the same
/// operations in simulation and on real nodes.
public struct WorkloadGenerator: Sendable {
    public let spec: WorkloadSpec
    private var rng: SeededRandom
    /// The last value this workload wrote to each key (what a cas expects); kept only when the mix
    /// can draw a cas (`tracksWrites`), since nothing else reads it.
    private var lastWritten: [String: String] = [:]
    /// Whether `spec.mix` includes cas, so that `lastWritten` is needed.
    private let tracksWrites: Bool
    /// The key names `k0 ...`, made once when there are few keys (building one per operation
    /// by interpolation cost more than the rest of drawing it; callgrind of `bench sim`).
    private let keyNames: [String]

    /// A generator for `spec`, drawing from `rng`.
    public init(spec: WorkloadSpec, rng: SeededRandom) {
        self.spec = spec
        self.rng = rng
        tracksWrites = spec.mix?.contains { $0.operation == .cas } ?? false
        keyNames = spec.keys <= 1_024 ? (0..<spec.keys).map { "k\($0)" } : []
    }

    /// The next operation of `client`, the `issued`-th of the workload: a key drawn uniformly; a get
    /// with probability `readRatio` (or a kind drawn by the `mix` shares); a written value unique to
    /// (`client`, `issued`) padded to `valueSize` bytes; a cas expects the last value this workload
    /// wrote to the key; an append adds a short token unique to the operation.
    public mutating func next(client: ClientID, issued: Int) -> KVOperation {
        let drawn = rng.next(upperBound: UInt64(spec.keys))
        let key = drawn < UInt64(keyNames.count) ? keyNames[Int(drawn)] : "k\(drawn)"
        let kind: WorkloadOperation
        if let mix = spec.mix {
            let total = mix.reduce(0) { $0 + $1.share }
            var x = Double(rng.next() >> 11) * 0x1.0p-53 * total
            var chosen = mix.last!.operation
            for entry in mix {
                if x < entry.share { chosen = entry.operation; break }
                x -= entry.share
            }
            kind = chosen
        } else {
            kind = rng.chance(spec.readRatio) ? .get : .put
        }
        switch kind {
        case .get: return .get(key: key)  // (no value string to build)
        case .delete:
            if tracksWrites { lastWritten[key] = nil }
            return .delete(key: key)
        case .append: return .append(key: key, value: "c\(client)-\(issued);")
        case .put, .cas:
            var value = "c\(client)-\(issued)"
            if value.utf8.count < spec.valueSize {
                value += String(repeating: ".", count: spec.valueSize - value.utf8.count)
            }
            guard tracksWrites else { return .put(key: key, value: value) }
            let previous = lastWritten[key]
            lastWritten[key] = value
            if kind == .cas, let previous { return .cas(key: key, from: previous, to: value) }
            return .put(key: key, value: value)
        }
    }
}
