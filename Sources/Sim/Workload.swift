import RaftCore
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
    public var opTimeout: SimTime? = nil

    public init(clients: Int = 8, requests: Int = 500, readRatio: Double = 0.8, keys: Int = 16,
                rate: Double? = nil, valueSize: Int = 8, opTimeout: SimTime? = nil) {
        self.clients = clients
        self.requests = requests
        self.readRatio = readRatio
        self.keys = keys
        self.rate = rate
        self.valueSize = valueSize
        self.opTimeout = opTimeout
    }

    /// Throws with a message naming the bad setting.
    public func validate() throws(SimConfigError) {
        if clients < 1 { throw SimConfigError("a workload needs at least 1 client") }
        if requests < 0 { throw SimConfigError("requests must be 0 or more") }
        if !(0...1).contains(readRatio) { throw SimConfigError("ratio must be between 0 and 1 (got \(readRatio))") }
        if keys < 1 { throw SimConfigError("keys must be at least 1") }
        if let r = rate, !(r > 0) { throw SimConfigError("rate must be above 0") }
        if valueSize < 1 || valueSize > 16_384 { throw SimConfigError("value-size must be 1...16384 bytes") }
    }
}

/// Clients running `WorkloadSpec` in the background of a `SimCluster`, on virtual time.
public final class Workload {
    public let spec: WorkloadSpec
    /// Client ids used by this workload.
    public let clientIDs: [ClientID]
    public private(set) var issued = 0
    public private(set) var results: [OperationResult] = []
    public private(set) var running = false
    public private(set) var startedAt: SimTime = 0
    public private(set) var stoppedAt: SimTime?
    /// Operations without a final answer when the workload stopped.
    public private(set) var unanswered: [OperationResult] = []

    private unowned let cluster: SimCluster
    private var rng: SimRandom
    private var lastStart: SimTime = 0
    /// Operations issued but held back by the rate limit.
    private var waiting = 0

    /// Clients are numbered from `firstClient` on.
    public init(cluster: SimCluster, spec: WorkloadSpec, firstClient: ClientID = 101) throws(SimConfigError) {
        try spec.validate()
        self.cluster = cluster
        self.spec = spec
        self.clientIDs = (0..<spec.clients).map { firstClient + ClientID($0) }
        self.rng = SimRandom(seed: cluster.config.seed, stream: "workload-\(firstClient)")
    }

    /// Operations in flight now.
    public var inFlight: Int { clientIDs.filter { cluster.isBusy($0) }.count }

    /// Whether every request was issued and answered (or given up on).
    public var isDone: Bool {
        issued >= spec.requests && waiting == 0 && clientIDs.allSatisfy { !cluster.isBusy($0) }
    }

    public func start() {
        guard !running else { return }
        running = true
        startedAt = cluster.now
        lastStart = cluster.now
        for cid in clientIDs {
            cluster.onComplete(client: cid) { [weak self] r in
                guard let self else { return }
                self.results.append(r)
                if self.running { self.next(cid) }
            }
        }
        for cid in clientIDs { next(cid) }
    }

    /// Stop issuing; every operation still in flight counts as unanswered.
    public func stop() {
        guard running else { return }
        running = false
        stoppedAt = cluster.now
        let before = results.count
        cluster.abandonAll(failure: "unanswered")
        unanswered = Array(results[before...])
        results.removeLast(results.count - before)
    }

    private func next(_ cid: ClientID) {
        guard running, issued < spec.requests, !cluster.isBusy(cid) else { return }
        issued += 1
        let op = makeOp(cid)
        if let rate = spec.rate {
            let interval = SimTime(1e9 / rate)
            let at = max(cluster.now, lastStart + interval)
            lastStart = at
            if at > cluster.now {
                waiting += 1
                cluster.schedule(after: at - cluster.now) { [weak self] in
                    guard let self else { return }
                    self.waiting -= 1
                    guard self.running else { return }
                    self.cluster.begin(op, client: cid, timeout: self.spec.opTimeout)
                }
                return
            }
        }
        lastStart = cluster.now
        cluster.begin(op, client: cid, timeout: spec.opTimeout)
    }

    private func makeOp(_ cid: ClientID) -> KVOperation {
        let key = "k\(rng.next(upperBound: UInt64(spec.keys)))"
        if rng.chance(spec.readRatio) { return .get(key: key) }
        var value = "c\(cid)-\(issued)"
        if value.utf8.count < spec.valueSize {
            value += String(repeating: ".", count: spec.valueSize - value.utf8.count)
        }
        return .put(key: key, value: value)
    }
}
