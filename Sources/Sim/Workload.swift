import RaftCore
import KV
import Check
import ClusterModel

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
    private var generator: WorkloadGenerator
    private var lastStart: SimTime = 0
    /// Operations issued but held back by the rate limit.
    private var waiting = 0

    /// Clients are numbered from `firstClient` on.
    public init(cluster: SimCluster, spec: WorkloadSpec, firstClient: ClientID = 101) throws(ClusterError) {
        try spec.validate()
        self.cluster = cluster
        self.spec = spec
        self.clientIDs = (0..<spec.clients).map { firstClient + ClientID($0) }
        self.generator = WorkloadGenerator(spec: spec, rng: SeededRandom(seed: cluster.config.seed, stream: "workload-\(firstClient)"))
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
        generator.next(client: cid, issued: issued)
    }
}
