import RaftCore

/// How a client operation ended, as the client knows it.
public enum ClientOutcome: Sendable, Hashable {
    /// The operation took effect and returned this result.
    case ok(KVResult)
    /// The operation certainly did not take effect (a read that got no answer, an answer that says so).
    case failed(ClientFailure)
    /// The operation may or may not have taken effect (a write that got no final answer).
    case indefinite(ClientFailure)

    /// The failure, if the operation did not succeed.
    public var failure: ClientFailure? {
        switch self {
        case .ok: return nil
        case .failed(let f), .indefinite(let f): return f
        }
    }
}

/// Why a client operation did not succeed.
public enum ClientFailure: Sendable, Hashable, CustomStringConvertible {
    /// No final answer before the operation's deadline.
    case timeout
    /// The node asked (with `via`) does not lead; `leader` is its hint (0 if none).
    case notLeader(leader: NodeID)
    /// A node refused the request; the text says why.
    case rejected(String)
    /// The client gave up for another reason (the workload stopped, the run ended).
    case abandoned(String)

    public var description: String {
        switch self {
        case .timeout: return "timeout"
        case .notLeader(let l): return l == noNode ? "not leader" : "not leader (leader is \(l))"
        case .rejected(let why): return why
        case .abandoned(let why): return why
        }
    }
}

/// The client side of a key-value cluster as a value-type state machine (sans I/O), so that the
/// simulator and the real UDP client run the same retry policy, redirect rule and outcome rule.
///
/// Inputs: `start` an operation, a `receive`d reply, a `timerFired`, or `abandon`. Output: a list
/// of `Action`s the driver carries out in order: send a request to a node, start a timer (to be
/// fed back through `timerFired` when it expires; a timer of an earlier attempt is ignored), or
/// finish the operation with its outcome.
///
/// The policy:
/// - the first attempt goes to `via`, or the node believed to lead, or a random member;
/// - a `notLeader` answer with a hint that is another member redirects there at once; without a
///   usable hint the client forgets the leader and tries a random other member after `backoff`
///   (an election is probably running); with `via` it ends the operation;
/// - an attempt without an answer within `attemptTimeout` is retried with the same `(client, seq)`
///   (so a write applies once): on the same node while it is the believed leader and fewer than
///   `leaderAttempts` attempts in a row went unanswered there (under loss the leader is still the
///   best bet), else on a random other member; with `via` always on that node;
/// - a final answer (done or failed) for the current request is taken from any node; a redirect
///   only from the node of the current attempt (a late redirect of an earlier attempt is stale);
/// - writes carry the client's session (`session`, see `KVStore` for sessions): a client without
///   one sends `ClientRequest.noSession`, which a leader answers `sessionExpired` with an index to
///   start from, proposing nothing; the client takes that index as its session and sends the write
///   again at once. A `sessionExpired` answer for a write sent in a session ends the operation (the
///   write may have applied before the session expired), and the next write starts a new session;
/// - the operation ends at its deadline: a read that got no answer certainly did nothing (failed),
///   a write may have applied (indefinite).
public struct ClientStateMachine: Sendable {
    /// The timing and persistence of retries.
    public struct Policy: Sendable, Hashable {
        /// How long one attempt waits for an answer before the request is sent again.
        public var attemptTimeout: UInt64
        /// How long to wait before retrying when no node knows the leader.
        public var backoff: UInt64
        /// Attempts in a row on the believed leader before the client tries another node.
        public var leaderAttempts: Int

        /// A policy; times in nanoseconds.
        public init(attemptTimeout: UInt64, backoff: UInt64, leaderAttempts: Int = 3) {
            self.attemptTimeout = attemptTimeout
            self.backoff = backoff
            self.leaderAttempts = max(1, leaderAttempts)
        }
    }

    /// A timer the driver runs for the state machine.
    public struct Timer: Sendable, Hashable {
        /// What the timer is for.
        public enum Kind: Sendable, Hashable {
            /// The current attempt has waited long enough.
            case attempt
            /// The pause before retrying after a redirect without a leader.
            case backoff
            /// The operation's deadline.
            case deadline
        }
        public var kind: Kind
        /// The request it belongs to.
        public var seq: UInt64
        /// The attempt it belongs to (0 for the deadline).
        public var attempt: Int
    }

    /// What the driver must do.
    public enum Action: Sendable, Hashable {
        /// Send `request` to node `to`.
        case send(ClientRequest, to: NodeID)
        /// Call `timerFired(timer)` after `after` nanoseconds.
        case startTimer(Timer, after: UInt64)
        /// The operation is over.
        case finish(Completion)
    }

    /// The end of an operation.
    public struct Completion: Sendable, Hashable {
        public var request: ClientRequest
        public var outcome: ClientOutcome
        /// The node that gave the final answer (0 if none did).
        public var node: NodeID
        /// The log index of the write, or the read index; 0 if unknown.
        public var index: LogIndex
        /// Requests sent, the first included.
        public var attempts: Int
        /// `notLeader` answers followed.
        public var redirects: Int

        /// A completion with every field given.
        public init(request: ClientRequest, outcome: ClientOutcome, node: NodeID, index: LogIndex, attempts: Int,
                    redirects: Int) {
            self.request = request
            self.outcome = outcome
            self.node = node
            self.index = index
            self.attempts = attempts
            self.redirects = redirects
        }
    }

    private struct InFlight: Sendable {
        var request: ClientRequest
        var via: NodeID?
        var target: NodeID
        var attempt: Int = 0
        var redirects = 0
        /// Attempts in a row on the current target that went unanswered.
        var silentOnTarget = 0
    }

    /// This client's id.
    public let client: ClientID
    /// The members requests may go to, in id order.
    public private(set) var members: [NodeID]

    /// The cluster's members changed (a node was added or removed): requests go to `new` from now on
    /// (a believed leader that is no longer a member is forgotten).
    public mutating func setMembers(_ new: [NodeID]) {
        precondition(!new.isEmpty, "a client needs at least one member")
        members = new.sorted()
        if !members.contains(leaderGuess) { leaderGuess = noNode }
    }
    /// The retry policy.
    public var policy: Policy
    /// The node believed to lead (0: unknown).
    public private(set) var leaderGuess: NodeID = noNode
    /// The last sequence number used.
    public private(set) var seq: UInt64 = 0
    /// The index this client's session starts from; `ClientRequest.noSession` until a leader gave one.
    public private(set) var session: LogIndex = ClientRequest.noSession
    private var current: InFlight?

    /// A client `client` of the nodes `members`.
    public init(client: ClientID, members: [NodeID], policy: Policy) {
        precondition(!members.isEmpty, "a client needs at least one member")
        self.client = client
        self.members = members.sorted()
        self.policy = policy
    }

    /// Whether an operation is in flight.
    public var isBusy: Bool { current != nil }

    /// The request in flight, if any.
    public var currentRequest: ClientRequest? { current?.request }

    /// The sequence number of the request in flight, if any: what a driver compares a reply with,
    /// read in place (`currentRequest?.seq` copied the whole request, its key and value retained,
    /// and destroyed the copy at every reply; callgrind: about 30 instructions a reply).
    public var currentSeq: UInt64? { current?.request.seq }

    /// Start `op` (none may be in flight): to `via` only, or to whoever leads. `timeout` (nanoseconds)
    /// bounds the whole operation; nil keeps retrying until `abandon`.
    public mutating func start(_ op: KVOperation, via: NodeID?, timeout: UInt64?,
                               rng: inout some RandomNumberGenerator) -> [Action] {
        precondition(current == nil, "client \(client) already has an operation in flight")
        seq += 1
        return begin(ClientRequest(client: client, seq: seq, session: session, op: op), via: via, timeout: timeout,
                     rng: &rng)
    }

    /// Start the admin request `admin` (a membership change or a leadership transfer, answered by
    /// the leader), by the same rules as a key-value operation: redirects, retries, deadline. A
    /// refusal ends it `failed`; no final answer, `indefinite` (the change may have been made).
    public mutating func start(admin: AdminOperation, via: NodeID?, timeout: UInt64?,
                               rng: inout some RandomNumberGenerator) -> [Action] {
        precondition(current == nil, "client \(client) already has an operation in flight")
        seq += 1
        return begin(ClientRequest(client: client, seq: seq, admin: admin), via: via, timeout: timeout, rng: &rng)
    }

    private mutating func begin(_ request: consuming ClientRequest, via: NodeID?, timeout: UInt64?,
                                rng: inout some RandomNumberGenerator) -> [Action] {
        var target = via ?? leaderGuess
        if target == noNode { target = members[Int(rng.next(upperBound: UInt64(members.count)))] }
        current = InFlight(request: request, via: via, target: target)
        var actions: [Action] = []
        actions.reserveCapacity(3)  // one buffer: `actions + send()` made a third per operation
        if let timeout { actions.append(.startTimer(Timer(kind: .deadline, seq: seq, attempt: 0), after: timeout)) }
        if let via, !members.contains(via) {
            actions.append(contentsOf: finish(.failed(.rejected("node \(via) is not a member")), node: noNode, index: 0))
            return actions
        }
        send(into: &actions)
        return actions
    }

    /// A reply arrived from node `from`.
    public mutating func receive(_ reply: ClientReply, from: NodeID, rng: inout some RandomNumberGenerator) -> [Action] {
        // The seq compared in place: binding `var cur = current` first copied the whole operation
        // (its request's key and value retained) at every reply, most of them final answers.
        guard reply.client == client, reply.seq == current?.request.seq else { return [] }
        switch reply.outcome {
        case .done(let result):
            leaderGuess = from
            return finish(.ok(result), node: from, index: reply.index)
        case .failed(let why):
            return finish(failure(.rejected(why)), node: from, index: 0)
        case .sessionExpired(let refused):
            var cur = current!
            // Only an answer about the session this request was sent in counts.
            guard refused == cur.request.session else { return [] }
            if refused == ClientRequest.noSession && reply.index != ClientRequest.noSession {
                // Nothing was proposed: start the session where the leader said, and send again.
                session = reply.index
                cur.request.session = reply.index
                leaderGuess = from
                cur.target = from
                cur.silentOnTarget = 0
                current = cur
                return send()
            }
            session = ClientRequest.noSession
            return finish(failure(.rejected("session expired")), node: from, index: 0)
        case .notLeader(let hint):
            var cur = current!
            // A redirect answers one attempt: only the node of the current one counts.
            guard from == cur.target else { return [] }
            if cur.via != nil { return finish(failure(.notLeader(leader: hint)), node: from, index: 0) }
            cur.redirects += 1
            cur.silentOnTarget = 0
            if hint != noNode && hint != from && members.contains(hint) {
                leaderGuess = hint
                cur.target = hint
                current = cur
                return send()
            }
            // Nobody knows a leader yet (an election is running): back off, then ask someone else.
            leaderGuess = noNode
            cur.target = other(than: from, &rng)
            cur.attempt += 1
            current = cur
            return [.startTimer(Timer(kind: .backoff, seq: cur.request.seq, attempt: cur.attempt), after: policy.backoff)]
        }
    }

    /// A timer the driver started expired.
    public mutating func timerFired(_ timer: Timer, rng: inout some RandomNumberGenerator) -> [Action] {
        guard timer.seq == current?.request.seq else { return [] }
        switch timer.kind {
        case .deadline:
            return finish(failure(.timeout), node: noNode, index: 0)
        case .backoff:
            guard timer.attempt == current?.attempt else { return [] }
            return send(counting: false)
        case .attempt:
            var cur = current!
            guard timer.attempt == cur.attempt else { return [] }
            cur.silentOnTarget += 1
            if cur.via == nil && !(cur.target == leaderGuess && cur.silentOnTarget < policy.leaderAttempts) {
                // Not the leader, or the leader stays silent: try another node.
                leaderGuess = noNode
                cur.target = other(than: cur.target, &rng)
                cur.silentOnTarget = 0
            }
            current = cur
            return send()
        }
    }

    /// Give up on the operation in flight (if any) with `reason`.
    public mutating func abandon(_ reason: String) -> [Action] {
        guard current != nil else { return [] }
        return finish(failure(.abandoned(reason)), node: noNode, index: 0)
    }

    // MARK: - Helpers

    /// Send the current request to the current target and arm the attempt timer.
    private mutating func send(counting: Bool = true) -> [Action] {
        var actions: [Action] = []
        send(counting: counting, into: &actions)
        return actions
    }

    /// `send(counting:)` appended to `actions` (an operation's first actions: appending a second
    /// array's contents copied each action and destroyed the array, about 900 instructions).
    private mutating func send(counting: Bool = true, into actions: inout [Action]) {
        // Changed and read in place: copying the operation out and back retained and released its
        // request at every send (callgrind: about 50 instructions an operation).
        guard current != nil else { return }
        if counting { current!.attempt += 1 }
        actions.append(.send(current!.request, to: current!.target))
        actions.append(.startTimer(Timer(kind: .attempt, seq: current!.request.seq, attempt: current!.attempt),
                                   after: policy.attemptTimeout))
    }

    /// A failure's outcome: a read did nothing; a write may have applied.
    private func failure(_ f: ClientFailure) -> ClientOutcome {
        (current?.request.isRead ?? true) ? .failed(f) : .indefinite(f)
    }

    private mutating func finish(_ outcome: ClientOutcome, node: NodeID, index: LogIndex) -> [Action] {
        guard let cur = current.take() else { return [] }  // moved out, not copied and destroyed
        return [.finish(Completion(request: cur.request, outcome: outcome, node: node, index: index,
                                   attempts: max(1, cur.attempt), redirects: cur.redirects))]
    }

    /// A random member other than `node` (or `node` itself in a one-node cluster).
    private func other(than node: NodeID, _ rng: inout some RandomNumberGenerator) -> NodeID {
        guard members.count > 1 else { return members[0] }
        let i = members.firstIndex(of: node) ?? 0
        return members[(i + 1 + Int(rng.next(upperBound: UInt64(members.count - 1)))) % members.count]
    }
}
