import NIOConcurrencyHelpers
import Foundation
import RaftCore
import KV
import Check
import ClusterModel

/// A client that runs one operation at a time to its end, blocking its caller: `UDPClient` for
/// UDP clusters, `ExecClient` for exec clusters. Both run the shared `ClientStateMachine`.
public protocol BlockingClient: AnyObject, Sendable {
    /// This client's id in requests and in the history.
    var clientID: ClientID { get }
    /// Run `op` to completion (to `via` only, or to whoever leads) within `timeout`.
    func perform(_ op: KVOperation, timeout: Duration, via: NodeID?) -> ClientStateMachine.Completion
    /// Cut short the operation in progress, from any thread; later ones end at once too.
    func cancel()
    /// Release the client's resources.
    func close()
    /// Replies that arrived for requests already finished.
    var duplicateReplies: Int { get }
}

/// A `WorkloadSpec` run against real nodes on real time (`workload start` on a UDP or exec cluster).
///
/// One thread and one `BlockingClient` (its own client id) per client, each with at most one
/// operation in flight, issuing operations by `Sim.Workload`'s rules: `requests` in all, a fraction
/// `readRatio` of gets, keys `k0 … k(keys-1)` from a generator seeded like the simulator's, unique put
/// values, and at most `rate` starts per second across all clients. Each operation is retried by its
/// client (a new node after each unanswered attempt, the same request id so a write applies once)
/// until it is answered, its `opTimeout` passes, or the workload stops. `stop()` cancels the attempts
/// in flight: those operations are unanswered (a write's outcome unknown, a read failed). Invocations
/// and completions go into the cluster's history. Thread-safe.
public final class ThreadedWorkload: WorkloadRun, @unchecked Sendable {
    public let spec: WorkloadSpec
    public let clientIDs: [ClientID]

    private struct State {
        var running = false
        var issued = 0
        var inFlight = 0
        var results: [OperationResult] = []
        var unanswered: [OperationResult] = []
        var startedAt: UInt64 = 0
        var stoppedAt: UInt64?
        var lastStart: UInt64 = 0
        var generator: WorkloadGenerator
    }

    private let state: NIOLockedValueBox<State>
    private let clients: [any BlockingClient]
    private let history: NIOLockedValueBox<History>
    private let now: @Sendable () -> UInt64
    private let finished = DispatchGroup()
    private let stopLock = NSLock()

    /// Clients numbered from `firstClient`, each made by `makeClient`; operations are recorded
    /// into `history` with times from `now` (nanoseconds since the cluster started).
    init(spec: WorkloadSpec, makeClient: (ClientID) throws(ClusterError) -> any BlockingClient, firstClient: ClientID,
         seed: UInt64, history: NIOLockedValueBox<History>, now: @escaping @Sendable () -> UInt64) throws(ClusterError) {
        self.spec = spec
        let ids = (0..<spec.clients).map { firstClient + ClientID($0) }
        self.clientIDs = ids
        var made: [any BlockingClient] = []
        for cid in ids {
            do {
                made.append(try makeClient(cid))
            } catch {
                for c in made { c.close() }
                throw error
            }
        }
        self.clients = made
        self.history = history
        self.now = now
        self.state = NIOLockedValueBox(State(generator: WorkloadGenerator(
            spec: spec, rng: SeededRandom(seed: seed, stream: "workload-\(firstClient)"))))
    }

    deinit { stop() }

    public var running: Bool { state.withLockedValue { $0.running } }
    public var results: [OperationResult] { state.withLockedValue { $0.results } }
    public var unanswered: [OperationResult] { state.withLockedValue { $0.unanswered } }
    public var inFlight: Int { state.withLockedValue { $0.inFlight } }
    public var startedAt: UInt64 { state.withLockedValue { $0.startedAt } }
    public var stoppedAt: UInt64? { state.withLockedValue { $0.stoppedAt } }
    /// Replies the workload's clients got for operations already finished.
    public var duplicateReplies: Int { clients.reduce(0) { $0 + $1.duplicateReplies } }

    /// Start the client threads.
    public func start() {
        let begin = now()
        let fresh = state.withLockedValue { s -> Bool in
            guard !s.running && s.stoppedAt == nil else { return false }
            s.running = true
            s.startedAt = begin
            s.lastStart = begin
            return true
        }
        guard fresh else { return }
        for (i, client) in clients.enumerated() {
            finished.enter()
            let thread = Thread { [self] in
                self.clientLoop(client, clientIDs[i])
                self.finished.leave()
            }
            thread.name = "workload-client-\(clientIDs[i])"
            thread.start()
        }
    }

    /// Stop issuing; operations in flight are cut short and count as unanswered. Returns once every
    /// client thread has finished (at most moments later) and the clients are closed.
    public func stop() {
        stopLock.lock()
        defer { stopLock.unlock() }
        let t = now()
        let wasRunning = state.withLockedValue { s -> Bool in
            guard s.running else { return false }
            s.running = false
            s.stoppedAt = t
            return true
        }
        guard wasRunning else { return }
        for c in clients { c.cancel() }
        _ = finished.wait(timeout: .now() + 10)
        for c in clients { c.close() }
    }

    private func clientLoop(_ client: any BlockingClient, _ cid: ClientID) {
        let opTimeout: Duration = spec.opTimeout.map { .nanoseconds(Int64(clamping: $0)) } ?? .seconds(86_400)
        while true {
            // Take the next operation and its start time (the rate limit spaces starts out).
            let claim = state.withLockedValue { s -> (KVOperation, UInt64)? in
                guard s.running, s.issued < spec.requests else { return nil }
                s.issued += 1
                let op = makeOp(cid, &s)
                var at = now()
                if let rate = spec.rate {
                    at = max(at, s.lastStart + UInt64(1e9 / rate))
                }
                s.lastStart = at
                return (op, at)
            }
            guard let (op, at) = claim else { return }
            while true {
                let t = now()
                if t >= at { break }
                if !running { return }
                usleep(useconds_t(min(at - t, 10_000_000) / 1_000))
            }
            // Invoke, unless the workload stopped meanwhile (then the operation never started).
            let started = state.withLockedValue { s -> (id: Int, at: UInt64)? in
                guard s.running else { return nil }
                s.inFlight += 1
                let t = now()
                return (history.withLockedValue { $0.invoke(client: cid, op: op, at: t) }, t)
            }
            guard let started else { return }
            let r = client.perform(op, timeout: opTimeout, via: nil)
            state.withLockedValue { s in
                s.inFlight -= 1
                let done = now()
                let outcome = OperationOutcome(r.outcome)
                var failure = r.outcome.failure?.description
                var answered = true
                // No answer: cut short by `stop`, or (with an operation timeout) given up on.
                if case .abandoned? = r.outcome.failure, s.stoppedAt != nil {
                    failure = "unanswered"
                    answered = false
                }
                history.withLockedValue { $0.complete(started.id, outcome: outcome, at: done) }
                let result = OperationResult(cid, op: op, outcome: outcome, invoked: started.at, completed: done,
                                             index: r.index, node: r.node, attempts: r.attempts, redirects: r.redirects,
                                             failure: failure)
                if answered { s.results.append(result) } else { s.unanswered.append(result) }
            }
        }
    }

    private func makeOp(_ cid: ClientID, _ s: inout State) -> KVOperation {
        s.generator.next(client: cid, issued: s.issued)
    }
}
