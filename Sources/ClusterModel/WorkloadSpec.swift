import KV
import Check

/// The shape of a background client workload (the proposal's simulator: N clients issuing a mix of
/// gets and puts against the cluster).
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
    }

    /// The operation a workload client issues next: a get of a random key with probability
    /// `readRatio`, else a put of a value unique to (`client`, `issued`) padded to `valueSize` bytes.
    /// Every kind of cluster draws its workload through this, so one seed gives the same operations.
    public func makeOperation(client: ClientID, issued: Int, rng: inout SeededRandom) -> KVOperation {
        let key = "k\(rng.next(upperBound: UInt64(keys)))"
        if rng.chance(readRatio) { return .get(key: key) }
        var value = "c\(client)-\(issued)"
        if value.utf8.count < valueSize {
            value += String(repeating: ".", count: valueSize - value.utf8.count)
        }
        return .put(key: key, value: value)
    }
}
