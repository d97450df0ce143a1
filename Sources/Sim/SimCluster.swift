import RaftCore
import KV
import Check
import ClusterModel

/// Counters of one simulated run.
public struct SimStats: Sendable, Hashable {
    /// Events taken off the queue.
    public var events = 0
    /// Server-to-server messages sent (before loss).
    public var messagesSent = 0
    /// Server-to-server messages delivered.
    public var messagesDelivered = 0
    /// Server-to-server messages lost to cuts, loss, or a crashed receiver.
    public var messagesDropped = 0
    /// Client requests sent, including retries.
    public var clientRequests = 0
    /// Replies that reached a client for an operation it had already finished.
    public var duplicateReplies = 0
    /// `not leader` answers that sent a client elsewhere.
    public var redirects = 0
    /// Client attempts that got no answer in time.
    public var clientTimeouts = 0
    /// Snapshots nodes took of their own state (compacting their logs).
    public var snapshotsTaken = 0
    /// Snapshot transfers whose last chunk a leader sent, and chunks sent (resends included) with
    /// their data bytes.
    public var snapshotsSent = 0
    public var snapshotChunksSent = 0
    public var snapshotBytesSent = 0
    /// Snapshots nodes installed from a leader.
    public var snapshotsInstalled = 0
    public init() {}
}

/// A whole simulated cluster: N servers, clients, a network and a virtual clock, all driven by one
/// event queue and one seed. Every call is deterministic given the seed and the calls before it.
public final class SimCluster {
    /// An event is a few plain words (nothing to retain or release), so the queue's slab, `pop` and
    /// `handle` move small values: a message, request or reply in flight waits in a `Slab` and its
    /// event names its slot.
    enum Event {
        case tick(NodeID, incarnation: Int)
        /// A Raft message arriving: its slot of `inFlight`.
        case raft(slot: Int)
        /// A client request arriving at node `to`: its slot of `requestsInFlight`.
        case request(slot: Int, to: NodeID)
        /// A reply arriving at its client: its slot of `repliesInFlight`.
        case reply(slot: Int, from: NodeID)
        /// A client's timer: its slot of `clientTimers`. (Carried in the event, the client and
        /// timer made every event 33 bytes instead of 17, and every queue entry 56 instead of 40.)
        case clientTimer(slot: Int)
        /// A `schedule(after:)` action: its slot of `timers`.
        case timer(slot: Int)
    }

    public let config: SimConfig
    public private(set) var now: SimTime = 0
    /// Every node ever started, node `id` at position `id - 1` (removed ones included, stopped).
    public internal(set) var nodes: [SimNode]
    public private(set) var network: NetworkModel
    public let checker: InvariantChecker
    public private(set) var history = History()
    public private(set) var stats = SimStats()
    public private(set) var leaderHistory: [LeaderSpan] = []
    /// A running hash of every event and its effect: equal for equal (seed, calls).
    public private(set) var traceHash: UInt64 = 0xcbf2_9ce4_8422_2325
    /// Receives a line per message and state change while set.
    public var traceSink: ((String) -> Void)?
    /// Polled every 1024 events while running; when it returns true (the user pressed Ctrl-C) the
    /// run stops early and `interrupted` is set. Not consulted by scenario runs.
    public var interruptCheck: (() -> Bool)?
    /// Set when a run stopped because `interruptCheck` said so; the caller clears it.
    public var interrupted = false

    var queue = EventQueue<Event>()
    /// The Raft messages of the queue's (and paused nodes' inboxes') `.raft` events, and the client
    /// requests and replies of `.request` and `.reply` events.
    let inFlight = Slab<Message>()
    let requestsInFlight = Slab<ClientRequest>()
    let repliesInFlight = Slab<ClientReply>()
    /// The client and timer of `.clientTimer` events.
    let clientTimers = Slab<(client: ClientID, timer: ClientStateMachine.Timer)>()
    /// Messages held on links (`hold`), see `SimCluster+MessageControl.swift`.
    var holds = MessageHolds<Message>()
    /// The run's timeline (`timeline FILE.html`).
    public let recorder = TimelineRecorder()
    private var netRNG: SeededRandom
    /// Draws for scenario choices such as which follower `fail follower` picks.
    public var choiceRNG: SeededRandom
    var clients = ClientTable()
    /// Learners to promote once caught up, and removed nodes to stop once their removal commits
    /// (see SimCluster+Membership.swift).
    var pendingPromotions: [NodeID] = []
    var pendingRemovals: [(node: NodeID, index: LogIndex, term: Term)] = []
    var clientOrder: [ClientID] = []
    /// The actions of `.timer` events, with their numbers (which the trace hash mixes in).
    private let timers = Slab<(id: Int, action: () -> Void)>()
    private var nextTimer = 0
    /// What the trace says of the message a node is stepping (nil while it ticks), so that it can
    /// say why a leader stepped down. Three numbers, not the message: keeping a copy of every
    /// message delivered cost a copy and a destroy per event.
    private var stepping: (term: Term, kind: Message.Kind, from: NodeID)?

    /// The id of the client that interactive operations use.
    public static let interactiveClient: ClientID = 1

    public init(config: SimConfig) throws(ClusterError) {
        try config.validate()
        self.config = config
        self.network = NetworkModel(latency: config.latency)
        self.checker = InvariantChecker(seed: config.seed)
        self.netRNG = SeededRandom(seed: config.seed, stream: "network")
        self.choiceRNG = SeededRandom(seed: config.seed, stream: "choices")
        self.nodes = config.nodeIDs.map { SimNode(id: $0) }
        recorder.noteNetwork(network, nodes: config.nodeIDs, at: 0)
        for n in nodes { start(n) }
    }

    // MARK: - Queries

    /// Every node ever started: the configured ones, then the ones added (`addNode`).
    public var nodeIDs: [NodeID] { nodes.map(\.id) }

    public func node(_ id: NodeID) -> SimNode { nodes[Int(id) - 1] }

    /// The leader, by the one rule (`Leadership.leader(among:)`).
    public var leader: NodeID? { Leadership.leader(among: statuses) }

    /// The highest term among nodes that are not crashed.
    public var term: Term { Leadership.highestTerm(among: statuses) }

    public func status(of id: NodeID) -> NodeStatus {
        let n = node(id)
        let g = network.group(of: id)
        if let r = n.raft {
            var st = NodeStatus(id, state: n.state, role: r.role, term: r.term, leader: r.leader,
                                commit: r.log.committed, applied: r.log.applied, lastIndex: r.log.lastIndex, group: g,
                                firstIndex: r.log.firstIndex, snapshotIndex: r.log.offset)
            st.membership = r.membership
            return st
        }
        let disk = n.disk  // a crashed node's disk holds what it synced
        var st = NodeStatus(id, state: .down, role: nil, term: disk.hardState.term, leader: noNode,
                            commit: disk.hardState.commit, applied: 0, lastIndex: disk.lastIndex, group: g,
                            firstIndex: disk.firstIndex, snapshotIndex: disk.snapshot.index)
        st.removed = n.removed
        return st
    }

    public var statuses: [NodeStatus] { nodeIDs.map(status(of:)) }

    /// One leader, every running node in its term with the same log fully committed and applied,
    /// and the same state machine.
    public var isConverged: Bool {
        guard let l = leader, let lr = node(l).raft else { return false }
        let digest = node(l).server!.store.digest
        for n in nodes where n.state == .up {
            guard let r = n.raft else { return false }
            if r.term != lr.term || r.log.lastIndex != lr.log.lastIndex || r.log.committed != r.log.lastIndex
                || r.log.applied != r.log.committed || n.server!.store.digest != digest {
                return false
            }
        }
        return true
    }

    /// The first invariant violation, which stops the run.
    public var violation: Violation? { checker.firstViolation }

    /// The value of `key` in node `id`'s state machine (nil if unset or the node is down).
    public func appliedValue(_ key: String, on id: NodeID) -> String?? {
        guard let s = node(id).server else { return nil }
        return .some(s.store.get(key))
    }

    // MARK: - Time

    /// Run events until virtual time `t` (or until `stop` returns true after some event).
    /// Returns whether `stop` became true (always true without a `stop`) and no invariant broke.
    @discardableResult
    public func run(until t: SimTime, stop: (() -> Bool)? = nil) -> Bool {
        if let stop, stop() { return true }
        var n = 0
        while !checker.hasViolation, let (time, ev) = queue.pop(dueBy: t) {
            now = time
            handle(ev)
            if let stop, stop() { return !checker.hasViolation }
            n &+= 1
            if n & 1023 == 0, let interrupted = interruptCheck, interrupted() {
                // Finish the events of this instant too, so the state is that of `run(until: now)`:
                // a `wait` of the time that passed replays the interrupted run exactly.
                while !checker.hasViolation, let next = queue.nextTime, next == now {
                    handle(queue.pop()!.1)
                }
                self.interrupted = true
                return false
            }
        }
        if checker.hasViolation { return false }
        if now < t { now = t }
        return stop == nil
    }

    /// Run the next event if one is due by `t` (and no invariant broke); returns whether it did.
    func runNext(until t: SimTime) -> Bool {
        guard !checker.hasViolation, let next = queue.nextTime, next <= t, let (time, ev) = queue.pop() else { return false }
        now = time
        handle(ev)
        return true
    }

    /// Advance virtual time by `d`.
    public func run(for d: SimTime) { run(until: now + d) }

    /// Run `action` at virtual time `now + delay` (as an event, in order with everything else).
    public func schedule(after delay: SimTime, _ action: @escaping () -> Void) {
        nextTimer += 1
        queue.schedule(.timer(slot: timers.put((nextTimer, action))), at: now + delay)
    }

    // MARK: - Faults

    /// Crash a node: its process is gone, unsynced writes are lost.
    public func crash(_ id: NodeID) {
        let n = node(id)
        guard n.state != .down else { return }
        if let r = n.raft, r.role == .leader { closeLeaderSpan(id) }
        n.server = nil
        n.state = .down
        discardInbox(n)
        // The writer's batch in progress and the writes waiting for it are lost with the process.
        n.writes = WritePipeline()
        n.writeQueue.removeAll()
        n.writing = false
        n.disk.crash()
        recorder.mark(id, .crash, at: now)
        recorder.noteState(id, process: .down, role: nil, term: n.disk.hardState.term, at: now)
        trace("node \(id) crashed")
        mix(0xC4A5, id)
    }

    /// Restart a crashed node from what its disk kept.
    public func restart(_ id: NodeID) {
        let n = node(id)
        guard n.state == .down, !n.removed else { return }
        n.incarnation += 1
        recorder.mark(id, .restart, at: now)
        start(n)
        trace("node \(id) restarted (term \(n.raft!.term), log \(n.raft!.log.lastIndex))")
        mix(0x2E57, id)
    }

    /// Make node `id` take a snapshot now (compacting its log up to what it applied), as
    /// `snapshotEvery` does by itself; returns its index, or nil if the node is not running or applied
    /// nothing since its latest snapshot.
    @discardableResult
    public func takeSnapshot(_ id: NodeID) -> LogIndex? {
        let n = node(id)
        guard n.state == .up, let server = n.server, let index = server.takeSnapshot() else { return nil }
        drain(n)
        return index
    }

    /// The index of node `id`'s latest snapshot (0: none), running or not (a crashed node: on its disk).
    public func snapshotIndex(of id: NodeID) -> LogIndex {
        let n = node(id)
        return n.raft?.log.offset ?? n.disk.snapshot.index
    }

    /// Freeze a node's process without crashing it; input waits until `resume`.
    public func pause(_ id: NodeID) {
        let n = node(id)
        guard n.state == .up else { return }
        n.state = .paused
        recorder.mark(id, .pause, at: now)
        recorder.noteState(id, process: .paused, role: n.raft?.role, term: n.raft?.term ?? 0, at: now)
        trace("node \(id) paused")
    }

    public func resume(_ id: NodeID) {
        let n = node(id)
        guard n.state == .paused else { return }
        n.state = .up
        recorder.mark(id, .resume, at: now)
        recorder.noteState(id, process: .up, role: n.raft?.role, term: n.raft?.term ?? 0, at: now)
        trace("node \(id) resumed")
        while let ev = n.inbox.popFirst() {
            handle(ev)
            if n.state != .up { break }
        }
    }

    /// Drop what waits in a paused node's inbox (the node crashed or restarted), freeing its slots.
    private func discardInbox(_ n: SimNode) {
        while let ev = n.inbox.popFirst() {
            switch ev {
            case .raft(let slot): _ = inFlight.take(slot)
            case .request(let slot, _): _ = requestsInFlight.take(slot)
            case .reply(let slot, _): _ = repliesInFlight.take(slot)
            case .clientTimer(let slot): _ = clientTimers.take(slot)
            case .tick, .timer: break
            }
        }
    }

    /// Change the network's cuts and faults (takes effect for messages sent from now on).
    public func updateNetwork(_ change: (inout NetworkModel) -> Void) {
        change(&network)
        recorder.noteNetwork(network, nodes: nodeIDs, at: now)
        trace(network.summary)
    }

    // MARK: - Clients

    /// Start an operation on `client` (created on first use); it runs as time advances.
    /// `via` pins it to one node (no redirects); `timeout` bounds it (nil: until answered).
    public func begin(_ op: KVOperation, client cid: ClientID = SimCluster.interactiveClient,
                      via: NodeID? = nil, timeout: SimTime? = .s(5)) {
        let c = client(cid)
        precondition(!c.machine.isBusy, "client \(cid) already has an operation in flight")
        c.historyID = history.invoke(client: cid, op: op, at: now)
        c.invoked = now
        carryOut(c.machine.start(op, via: via, timeout: timeout, rng: &c.rng), for: c)
    }

    /// Run one operation to completion on the interactive client and return what happened.
    public func perform(_ op: KVOperation, via: NodeID? = nil, timeout: SimTime = .s(5)) -> OperationResult {
        let cid = SimCluster.interactiveClient
        let c = client(cid)
        c.lastResult = nil
        c.awaitsResult = true
        defer { c.awaitsResult = false }
        begin(op, client: cid, via: via, timeout: timeout)
        run(until: now + timeout + .s(1)) { c.lastResult != nil }
        if let r = c.lastResult { return r }
        // The run stopped (an invariant broke): the operation's fate is unknown.
        carryOut(c.machine.abandon("run stopped"), for: c)
        return c.lastResult!
    }

    /// Whether `client` has an operation in flight.
    public func isBusy(_ cid: ClientID) -> Bool { clients[cid]?.machine.isBusy ?? false }

    /// Set a callback for every finished operation of `client`.
    public func onComplete(client cid: ClientID, _ f: @escaping (OperationResult) -> Void) {
        client(cid).onComplete = f
    }

    /// Give up on every operation in flight: writes become unknown, reads fail.
    public func abandonAll(failure: String) {
        for cid in clientOrder {
            let c = clients[cid]!
            carryOut(c.machine.abandon(failure), for: c)
        }
    }

    private func client(_ cid: ClientID) -> SimClient {
        if let c = clients[cid] { return c }
        let policy = ClientStateMachine.Policy(attemptTimeout: config.clientAttemptTimeout, backoff: config.heartbeat / 2)
        let c = SimClient(machine: ClientStateMachine(client: cid, members: clientMembers, policy: policy),
                          rng: SeededRandom(seed: config.seed, stream: "client-\(cid)"))
        clients[cid] = c
        clientOrder.append(cid)
        return c
    }

    /// Do what a client's state machine asked.
    private func carryOut(_ actions: [ClientStateMachine.Action], for c: SimClient) {
        for action in actions {
            switch action {
            case .send(let request, let to):
                stats.clientRequests += 1
                let ds = fate(on: nil)
                if traceSink != nil {
                    let fate = ds.isEmpty ? " (lost: drop \(percent(network.faults.loss)))" : ds.count > 1 ? " (duplicated)" : ""
                    trace("client \(c.id) -> node \(to): \(ValueText.operation(request.op)) #\(request.seq)\(fate)")
                }
                for d in ds {
                    queue.schedule(.request(slot: requestsInFlight.put(request), to: to), at: now + d)
                }
            case .startTimer(let timer, let after):
                queue.schedule(.clientTimer(slot: clientTimers.put((c.id, timer))), at: now + after)
            case .finish(let done):
                finish(c, done)
            }
        }
    }

    private func finish(_ c: SimClient, _ done: ClientStateMachine.Completion) {
        guard let hid = c.historyID else { return }
        c.historyID = nil
        let outcome = OperationOutcome(done.outcome)
        history.complete(hid, outcome: outcome, at: now)
        stats.redirects += done.redirects
        let r = OperationResult(c.id, op: done.request.op, outcome: outcome, invoked: c.invoked, completed: now,
                                index: done.index, node: done.node, attempts: done.attempts, redirects: done.redirects,
                                failure: done.outcome.failure?.description, reason: done.outcome.failure,
                                seq: done.request.seq)
        if c.awaitsResult { c.lastResult = r }
        mix(0xF1, c.id, done.request.seq, done.index)
        if case .ok = outcome, !done.request.op.isRead {
            let cmd = Command(done.request)
            checker.acknowledgedWrite(index: done.index, data: cmd.encode(), at: now)
        }
        c.onComplete?(r)
    }

    // MARK: - Servers

    func start(_ n: SimNode) {
        var rng = SeededRandom(seed: config.seed, stream: "node-\(n.id)-\(n.incarnation)")
        do {
            var rc = config.raftConfig(for: n.id)
            if n.joined { rc.voters = [] }  // it learns the configuration from the leader
            let raft = try RaftNode(config: rc, storage: n.disk, random: rng)
            n.server = try KVServer(raft: raft, sessionTTL: config.sessionTTL, snapshotEvery: config.snapshotEvery)
        } catch {
            preconditionFailure("node \(n.id) cannot restart from its disk: \(error)")
        }
        n.state = .up
        discardInbox(n)
        n.snapshotsSentCounted = 0
        n.diskRNG = SeededRandom(seed: config.seed, stream: "disk-\(n.id)-\(n.incarnation)")
        checker.restarted(n.id)
        if config.checkInvariants, n.disk.snapshot.index > 0 {
            checker.noteSnapshot(node: n.id, metadata: n.disk.snapshot, data: n.disk.snapshotData, at: now)
        }
        let phase = rng.uniform(0...(config.tick - 1))
        queue.schedule(.tick(n.id, incarnation: n.incarnation), at: now + phase + 1)
        drain(n)
    }

    func handle(_ ev: Event) {
        stats.events += 1
        switch ev {
        case .tick(let id, let inc):
            let n = node(id)
            guard n.state != .down, n.incarnation == inc else { return }
            queue.scheduleInOrder(.tick(id, incarnation: inc), at: now + config.tick)
            guard n.state == .up else { return }
            mix(0x71, id)
            stepping = nil
            let raft = n.raft!
            raft.tick()
            // Most ticks change nothing a driver sees (a follower counts toward its election
            // timeout): without a Ready, `drain` would find no work, and its closing checks (failure,
            // snapshots sent, the timeline's role and term) change only with a Ready.
            if raft.hasReady { drain(n) }
            if !pendingPromotions.isEmpty || !pendingRemovals.isEmpty { membershipWork(on: n) }
        case .raft(let slot):
            deliver(inFlight.take(slot))
        case .request(let slot, let to):
            let n = node(to)
            guard n.state != .down else { _ = requestsInFlight.take(slot); return }
            if n.state == .paused { n.inbox.append(ev); return }
            let req = requestsInFlight.take(slot)
            mix(0x5E, req.client, req.seq, to)
            let replies = n.server!.receive(req)
            for r in replies { sendReply(r, from: to) }
            drain(n)
        case .reply(let slot, let from):
            let r = repliesInFlight.take(slot)
            mix(0x9E, r.client, r.seq, from)
            guard let c = clients[r.client], c.machine.currentSeq == r.seq else {
                stats.duplicateReplies += 1
                if traceSink != nil { trace("node \(from) -> client \(r.client): \(reply(r.outcome)) #\(r.seq) (late or duplicate: ignored)") }
                return
            }
            if traceSink != nil { trace("node \(from) -> client \(r.client): \(reply(r.outcome)) #\(r.seq)") }
            carryOut(c.machine.receive(r, from: from, rng: &c.rng), for: c)
        case .clientTimer(let slot):
            let (cid, timer) = clientTimers.take(slot)
            guard let c = clients[cid] else { return }
            let actions = c.machine.timerFired(timer, rng: &c.rng)
            if timer.kind == .attempt, !actions.isEmpty {
                stats.clientTimeouts += 1
                if traceSink != nil { trace("client \(cid): no answer in \(TimeFormat.duration(config.clientAttemptTimeout)), trying again") }
            }
            if timer.kind == .deadline, !actions.isEmpty, traceSink != nil { trace("client \(cid): timed out") }
            carryOut(actions, for: c)
        case .timer(let slot):
            let (id, action) = timers.take(slot)
            mix(0x7133, UInt64(id))
            action()
        }
    }

    /// A Raft message arrives at its receiver: lost if the link is cut or the receiver is down, held
    /// if its link holds it, queued if the receiver is paused, else stepped.
    private func deliver(_ m: Message) {
        let n = node(m.to)
        guard network.connected(m.from, m.to), n.state != .down else {
            stats.messagesDropped += 1
            if traceSink != nil {
                trace("dropped \(m): " + (n.state == .down ? "node \(m.to) is down" : network.cut(m.from, m.to) ?? "cut"))
            }
            return
        }
        if !holds.isEmpty, holds.take(m) {
            mix(0x401D, m.from, m.to, UInt64(m.kind.rawValue))
            trace("held \(m)")
            return
        }
        if n.state == .paused { n.inbox.append(.raft(slot: inFlight.put(m))); return }
        stats.messagesDelivered += 1
        mix(0x3A, m.from, m.to, m.term, m.index, UInt64(m.kind.rawValue), UInt64(m.entries.count), m.commit)
        if m.carriesSnapshot, let c = m.snapshot { mix(0x5A, c.metadata.index, c.metadata.term, c.offset, UInt64(c.data.count)) }
        if traceSink != nil { trace("\(m)") }
        stepping = (m.term, m.kind, m.from)
        n.raft!.step(m)
        drain(n)
        stepping = nil
    }

    func sendReply(_ r: ClientReply, from: NodeID) {
        let ds = fate(on: nil)
        if ds.isEmpty, traceSink != nil {
            trace("node \(from) -> client \(r.client): \(reply(r.outcome)) #\(r.seq) (lost: drop \(percent(network.faults.loss)))")
        }
        for d in ds {
            queue.schedule(.reply(slot: repliesInFlight.put(r), from: from), at: now + d)
        }
    }

    /// A server's answer as the trace shows it (values escaped).
    private func reply(_ o: ReplyOutcome) -> String {
        switch o {
        case .done(.value(let v)): return "value " + (v.map(ValueText.display) ?? "none")
        case .done(.casFailed(let v)): return "cas failed, current " + (v.map(ValueText.display) ?? "none")
        default: return o.description
        }
    }

    /// A probability as a percentage, for the trace.
    private func percent(_ p: Double) -> String { TimeFormat.fixed(p * 100, p * 100 == (p * 100).rounded() ? 0 : 1) + "%" }

    /// Persist, send, apply, acknowledge: the driver's half of the core's contract.
    func drain(_ n: SimNode) {
        guard let server = n.server else { return }
        if config.diskLatency != nil {
            drainWithWriter(n, server)
        } else {
            server.drain(persist: { rd in
                             n.disk.write(snapshot: rd.snapshot, replacingLog: rd.installsSnapshot, hardState: rd.hardState,
                                          entries: rd.entries, sync: rd.mustSync)
                         },
                         send: { m in send(m) },
                         reply: { r in sendReply(r, from: n.id) },
                         processed: { rd, out in readyDone(n, server, rd, out) })
        }
        if let failure = server.failure {
            // The state machine can no longer follow the log: stop the node, and the run.
            checker.nodeFailed(node: n.id, detail: failure, at: now)
            crash(n.id)
            return
        }
        let sent = server.raft.stats.snapshotsSent
        if sent > n.snapshotsSentCounted {
            stats.snapshotsSent += sent - n.snapshotsSentCounted
            n.snapshotsSentCounted = sent
        }
        // No `checker.observe` here: what it checks (role, term, commit, applied) changes only with
        // a Ready (soft and hard state) or inside `advance`, and `afterReady` observes after each
        // one; a second look after every event found nothing new and cost 5% of a run.
        recorder.noteState(n.id, process: n.state, role: server.raft.role, term: server.raft.term, at: now)
    }

    /// What follows every Ready of node `n` once applied: statistics, the trace, the checker.
    func readyDone(_ n: SimNode, _ server: KVServer, _ rd: Ready, _ out: ServerOutput) {
        guard out.failure == nil else { return }
        if let s = rd.snapshot {
            if rd.installsSnapshot { stats.snapshotsInstalled += 1 } else { stats.snapshotsTaken += 1 }
            trace("node \(n.id) \(rd.installsSnapshot ? "installed" : "took") a snapshot at "
                  + "\(s.metadata) (\(s.data.count) bytes)")
            mix(0x5B, n.id, s.index, s.term, rd.installsSnapshot ? 1 : 0)
        }
        if let ss = rd.softState { roleChanged(n.id, ss, term: server.raft.term) }
        if config.checkInvariants {
            checker.afterReady(server.raft, ready: rd, applied: out.applied, at: now)
        }
    }

    /// The network model's verdict on one message (nil link: a client's), drawn from the network's
    /// generator. The generator is copied out and back so that reading `network` needs no copy of it.
    private func fate(on link: Link?) -> Deliveries {
        var rng = netRNG
        defer { netRNG = rng }
        return network.deliveries(on: link, rng: &rng)
    }

    func send(_ m: consuming Message) {
        stats.messagesSent += 1
        if m.kind == .snapshot, let c = m.snapshot {
            stats.snapshotChunksSent += 1
            stats.snapshotBytesSent += c.data.count
        }
        guard network.connected(m.from, m.to) else {
            stats.messagesDropped += 1
            if traceSink != nil { trace("dropped \(m): " + (network.cut(m.from, m.to) ?? "cut")) }
            return
        }
        let ds = fate(on: Link(m.from, m.to))
        if recorder.recordsMessages { recorder.noteMessage(m, at: now, delays: ds) }
        if ds.isEmpty {
            stats.messagesDropped += 1
            if traceSink != nil { trace("dropped \(m): lost (drop \(percent(network.faults(on: Link(m.from, m.to)).loss)))") }
        } else if ds.count > 1, traceSink != nil {
            trace("duplicated \(m)")
        }
        guard let last = ds.last else { return }
        if ds.count > 1 { queue.schedule(.raft(slot: inFlight.put(copy m)), at: now + ds[0]) }
        queue.schedule(.raft(slot: inFlight.put(m)), at: now + last)  // the message itself, not a copy
    }

    func roleChanged(_ id: NodeID, _ ss: SoftState, term: Term) {
        mix(0x50, id, UInt64(Role.allCases.firstIndex(of: ss.role)!), ss.leader, term)
        if ss.role == .leader {
            leaderHistory.append(LeaderSpan(id, term: term, from: now, to: nil))
            trace("node \(id) became leader (term \(term))")
        } else {
            let led = leaderHistory.last(where: { $0.node == id && $0.to == nil })
            closeLeaderSpan(id)
            if traceSink != nil {
                var why = ""
                if let led {
                    if let m = stepping, m.term > led.term {
                        why = ": stepped down, saw term \(m.term) in \(m.kind) from node \(m.from)"
                    } else if stepping == nil {
                        why = ": stepped down, CheckQuorum (fewer than a quorum heard from in an election timeout)"
                    } else {
                        why = ": stepped down"
                    }
                }
                trace("node \(id) is \(ss.role.rawValue) (term \(term))\(why)")
            }
        }
    }

    private func closeLeaderSpan(_ id: NodeID) {
        if let i = leaderHistory.lastIndex(where: { $0.node == id && $0.to == nil }) {
            leaderHistory[i].to = now
        }
    }

    // MARK: - Trace

    func trace(_ line: @autoclosure () -> String) {
        guard let sink = traceSink else { return }
        sink("[\(TimeFormat.instant(now))] " + line())
    }

    @inline(__always)
    func mix(_ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0, _ d: UInt64 = 0,
                     _ e: UInt64 = 0, _ f: UInt64 = 0, _ g: UInt64 = 0, _ i: UInt64 = 0) {
        // FNV-1a over the event's fields (fixed arity: no array per event).
        var h = traceHash
        h = (h ^ now) &* 0x0000_0100_0000_01b3
        h = (h ^ a) &* 0x0000_0100_0000_01b3
        h = (h ^ b) &* 0x0000_0100_0000_01b3
        h = (h ^ c) &* 0x0000_0100_0000_01b3
        h = (h ^ d) &* 0x0000_0100_0000_01b3
        h = (h ^ e) &* 0x0000_0100_0000_01b3
        h = (h ^ f) &* 0x0000_0100_0000_01b3
        h = (h ^ g) &* 0x0000_0100_0000_01b3
        h = (h ^ i) &* 0x0000_0100_0000_01b3
        traceHash = h
    }
}
