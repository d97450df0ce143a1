import NIOCore
import RaftCore
import KV

/// Runs one `ClientStateMachine` on a SwiftNIO event loop for a real client: starts operations,
/// feeds it replies and its timers, sends its requests through `send`, and completes the caller's
/// future when an operation ends. `UDPClient` sends datagrams through it; `ExecClient` hands
/// requests to an exec cluster's router. Every method must be called on `loop`.
final class ClientRunner {
    /// Counters of one client.
    struct Stats: Sendable, Hashable {
        var requestsSent = 0
        var redirects = 0
        var attemptTimeouts = 0
    }

    private(set) var machine: ClientStateMachine
    private let loop: any EventLoop
    private let send: (ClientRequest, NodeID) -> Void
    private var rng = SystemRandomNumberGenerator()
    private var waiting: EventLoopPromise<ClientStateMachine.Completion>?
    private(set) var stats = Stats()

    init(machine: ClientStateMachine, loop: any EventLoop, send: @escaping (ClientRequest, NodeID) -> Void) {
        self.machine = machine
        self.loop = loop
        self.send = send
    }

    /// The request in flight, if any.
    var currentRequest: ClientRequest? { machine.currentRequest }

    /// Start `op`; the future completes when it ends (an operation in flight is abandoned first).
    func start(_ op: KVOperation, via: NodeID?, timeout: UInt64) -> EventLoopFuture<ClientStateMachine.Completion> {
        loop.preconditionInEventLoop()
        carryOut(machine.abandon("superseded by a new operation"))
        let promise = loop.makePromise(of: ClientStateMachine.Completion.self)
        waiting = promise
        carryOut(machine.start(op, via: via, timeout: timeout, rng: &rng))
        return promise.futureResult
    }

    /// Start the admin request `admin`, as `start(_:via:timeout:)` starts an operation.
    func start(admin: AdminOperation, via: NodeID?, timeout: UInt64) -> EventLoopFuture<ClientStateMachine.Completion> {
        loop.preconditionInEventLoop()
        carryOut(machine.abandon("superseded by a new operation"))
        let promise = loop.makePromise(of: ClientStateMachine.Completion.self)
        waiting = promise
        carryOut(machine.start(admin: admin, via: via, timeout: timeout, rng: &rng))
        return promise.futureResult
    }

    /// The nodes requests may go to changed (a node was added or removed).
    func setMembers(_ members: [NodeID]) {
        loop.preconditionInEventLoop()
        machine.setMembers(members)
    }

    /// A reply from node `from` for this client. Returns false when it answers nothing in flight
    /// (a duplicate, or a reply to an operation already finished).
    @discardableResult
    func receive(_ reply: ClientReply, from: NodeID) -> Bool {
        guard machine.currentSeq == reply.seq else { return false }
        carryOut(machine.receive(reply, from: from, rng: &rng))
        return true
    }

    /// End the operation in flight (if any) as abandoned.
    func abandon(_ reason: String) {
        carryOut(machine.abandon(reason))
    }

    private func carryOut(_ actions: [ClientStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let request, let to):
                stats.requestsSent += 1
                send(request, to)
            case .startTimer(let timer, let after):
                loop.scheduleTask(in: .nanoseconds(Int64(clamping: after))) { [weak self] in
                    guard let self else { return }
                    let next = self.machine.timerFired(timer, rng: &self.rng)
                    if timer.kind == .attempt, !next.isEmpty { self.stats.attemptTimeouts += 1 }
                    self.carryOut(next)
                }
            case .finish(let done):
                stats.redirects += done.redirects
                let w = waiting
                waiting = nil
                w?.succeed(done)
            }
        }
    }
}
