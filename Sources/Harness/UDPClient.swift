import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RaftCore
import KV
import Wire
import Node

/// Why a `UDPClient` could not be made.
public struct UDPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Counters of one `UDPClient`.
public struct UDPClientStats: Sendable, Hashable {
    /// Request datagrams sent, retries included.
    public var requestsSent = 0
    /// `notLeader` answers that sent the client elsewhere.
    public var redirects = 0
    /// Attempts that got no answer in time (and were retried).
    public var attemptTimeouts = 0
    /// Replies for a request the client had already finished (or given up on).
    public var duplicateReplies = 0
    /// Datagrams that were not replies to this client (malformed, from strangers, for another client).
    public var ignoredDatagrams = 0
    public init() {}
}

/// A blocking client of a UDP cluster, for the shell, workloads and benchmarks.
///
/// It runs the shared `ClientStateMachine` (the simulator's client too): it finds the leader,
/// follows `notLeader` hints, and retries the same `(client, seq)` after each unanswered attempt, so
/// a retried write applies once. The calling thread drives it: it sends, then waits on the socket
/// itself until a reply or the machine's next timer, so there is no event loop and no thread hop
/// between a datagram and the caller (a put costs the client two system calls and one wake-up).
/// One client serves one caller at a time (make one client per concurrent caller; other callers
/// wait their turn); `cancel`, `close` and the counters may be used from any thread.
public final class UDPClient: BlockingClient, @unchecked Sendable {
    /// This client's id in requests.
    public let clientID: ClientID
    /// The client's local address.
    public let localAddress: SocketAddress?

    /// What other threads may read or set while a caller runs an operation.
    private struct Shared {
        var closed = false
        var cancelled = false
        var stats = UDPClientStats()
        var leaderGuess: NodeID = noNode
        var members: [NodeID] = []
    }

    private let socket: ClientSocket
    private let key: [UInt8]
    private let shared = NIOLockedValueBox(Shared())
    /// Held by the one caller running an operation (and by `close`); guards everything below.
    private let turn = NSLock()

    // Caller state (under `turn`).
    private var nodes: [NodeID: SocketAddress]
    private var byAddress: [RawAddress: NodeID]
    private var machine: ClientStateMachine
    private var rng = SystemRandomNumberGenerator()
    private var timers: [(deadline: UInt64, timer: ClientStateMachine.Timer)] = []
    private var stats = UDPClientStats()
    private var nextControlID: UInt64 = 0

    /// A client of the nodes at `nodes` (ids to `HOST:PORT`). `boundSocket`: see `init(addresses:…)`.
    public convenience init(nodes: [NodeID: String], clusterKey: String = NodeConfig.defaultClusterKey,
                            clientID: ClientID, attemptTimeout: Duration = .milliseconds(200),
                            boundSocket: Int32? = nil) throws(UDPClientError) {
        var addrs: [NodeID: SocketAddress] = [:]
        do {
            for (id, text) in nodes { addrs[id] = try HostPort(parsing: text).socketAddress() }
        } catch {
            throw UDPClientError(error.message)
        }
        try self.init(addresses: addrs, clusterKey: clusterKey, clientID: clientID, attemptTimeout: attemptTimeout,
                      boundSocket: boundSocket)
    }

    /// A client of the nodes at `addresses`. The socket binds to 127.0.0.1 on an ephemeral port when
    /// every node is on loopback, otherwise to the wildcard address; or the client takes over
    /// `boundSocket`, a UDP socket already bound (e.g. inside a netns cluster's bridge namespace,
    /// `NamespaceNetwork.udpSocket()`), and closes it with itself. `attemptTimeout` and `backoff`
    /// set the retry policy (see `ClientStateMachine`).
    public init(addresses: [NodeID: SocketAddress], clusterKey: String = NodeConfig.defaultClusterKey,
                clientID: ClientID, attemptTimeout: Duration = .milliseconds(200),
                backoff: Duration = .milliseconds(25), boundSocket: Int32? = nil) throws(UDPClientError) {
        if addresses.isEmpty { throw UDPClientError("a client needs at least one node address") }
        let allLoopback = addresses.values.allSatisfy(isLoopback)
        let v6 = addresses.values.contains { if case .v6 = $0 { return true } else { return false } }
        let host = allLoopback ? (v6 ? "::1" : "127.0.0.1") : (v6 ? "::" : "0.0.0.0")
        self.socket = try ClientSocket(host: host, v6: v6, adopting: boundSocket)
        self.localAddress = socket.localAddress
        self.nodes = addresses
        var m: [RawAddress: NodeID] = [:]
        for (id, a) in addresses { if let raw = RawAddress(a) { m[raw] = id } }
        self.byAddress = m
        self.key = Array(clusterKey.utf8)
        self.clientID = clientID
        let policy = ClientStateMachine.Policy(attemptTimeout: UInt64(NodeConfig.nanoseconds(attemptTimeout)),
                                               backoff: UInt64(NodeConfig.nanoseconds(backoff)))
        let members = addresses.keys.sorted()
        self.machine = ClientStateMachine(client: clientID, members: members, policy: policy)
        shared.withLockedValue { $0.members = members }
    }

    deinit { socket.closeNow() }

    /// The node ids this client knows.
    public var members: [NodeID] { shared.withLockedValue { $0.closed ? [] : $0.members } }

    /// Membership changed: requests go to `members` from now on, and `addresses` are added to the
    /// address book (a node added to the cluster). Replies are accepted from every node in the book.
    public func setNodes(_ members: [NodeID], addresses: [NodeID: String]) throws(UDPClientError) {
        var parsed: [NodeID: SocketAddress] = [:]
        do {
            for (id, text) in addresses { parsed[id] = try HostPort(parsing: text).socketAddress() }
        } catch {
            throw UDPClientError(error.message)
        }
        guard !isClosed, !members.isEmpty else { return }
        withTurn {
            for (id, a) in parsed {
                if let old = nodes[id], let raw = RawAddress(old) { byAddress[raw] = nil }
                nodes[id] = a
                if let raw = RawAddress(a) { byAddress[raw] = id }
            }
            machine.setMembers(members)
            let now = machine.members
            shared.withLockedValue { $0.members = now }
        }
    }

    /// The node the client believes leads (0 if it does not know).
    public var leaderHint: NodeID { shared.withLockedValue { $0.closed ? noNode : $0.leaderGuess } }

    /// A snapshot of the counters. Replies that arrived since the last operation are read first
    /// when no operation is running, so late duplicates are counted.
    public var statistics: UDPClientStats {
        if turn.try() {
            readLate()
            turn.unlock()
        }
        return shared.withLockedValue { $0.stats }
    }

    /// Replies that arrived for requests already finished.
    public var duplicateReplies: Int { statistics.duplicateReplies }

    /// Close the socket; an operation in flight ends unanswered ("client closed"). Safe to call twice.
    public func close() {
        let first = shared.withLockedValue { s -> Bool in
            defer { s.closed = true }
            if !s.closed { socket.wake() }
            return !s.closed
        }
        guard first else { return }
        withTurn { socket.closeNow() }
    }

    private var isClosed: Bool { shared.withLockedValue { $0.closed } }

    /// Cut short the operation in progress, from any thread: its `perform` returns at once, abandoned
    /// ("unanswered"), and so does every later one. For stopping a workload.
    public func cancel() {
        shared.withLockedValue { s in
            s.cancelled = true
            if !s.closed { socket.wake() }
        }
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { shared.withLockedValue { $0.cancelled } }

    // MARK: - Operations

    /// Run `op` to completion: to the believed leader (or `via` only), following redirects and
    /// retrying by the shared policy, until `timeout` has passed.
    public func perform(_ op: KVOperation, timeout: Duration = .seconds(5), via: NodeID? = nil)
        -> ClientStateMachine.Completion
    {
        let request = ClientRequest(client: clientID, seq: 0, op: op)
        func refused(_ why: String) -> ClientStateMachine.Completion {
            ClientStateMachine.Completion(request: request, outcome: op.isRead ? .failed(.abandoned(why)) : .indefinite(.abandoned(why)),
                                          node: noNode, index: 0, attempts: 0, redirects: 0)
        }
        if isClosed { return refused("client closed") }
        if isCancelled { return refused("unanswered") }
        let size = WireCodec.encode(.clientRequest(request)).count
        if size > WireCodec.maxDatagramBytes {
            return ClientStateMachine.Completion(
                request: request,
                outcome: .failed(.rejected("request of \(size) bytes exceeds the \(WireCodec.maxDatagramBytes)-byte datagram limit")),
                node: noNode, index: 0, attempts: 0, redirects: 0)
        }
        let deadline = UInt64(NodeConfig.nanoseconds(timeout))
        return withTurn {
            if isClosed { return refused("client closed") }
            return run(machine.start(op, via: via, timeout: deadline, rng: &rng)) ?? refused("client closed")
        }
    }

    /// Run the admin request `admin` (a membership change or leadership transfer) to completion,
    /// like `perform`: to the believed leader (or `via` only), following redirects and retrying by
    /// the shared policy, until `timeout` has passed.
    public func perform(admin: AdminOperation, timeout: Duration = .seconds(5), via: NodeID? = nil)
        -> ClientStateMachine.Completion
    {
        let request = ClientRequest(client: clientID, seq: 0, admin: admin)
        func refused(_ why: String) -> ClientStateMachine.Completion {
            ClientStateMachine.Completion(request: request, outcome: .indefinite(.abandoned(why)),
                                          node: noNode, index: 0, attempts: 0, redirects: 0)
        }
        if isClosed { return refused("client closed") }
        if isCancelled { return refused("unanswered") }
        let deadline = UInt64(NodeConfig.nanoseconds(timeout))
        return withTurn {
            if isClosed { return refused("client closed") }
            return run(machine.start(admin: admin, via: via, timeout: deadline, rng: &rng)) ?? refused("client closed")
        }
    }

    /// Send a control command to node `to` and wait for its answer (nil on timeout).
    public func control(_ request: ControlRequest, to node: NodeID, timeout: Duration = .seconds(1)) -> ControlReply? {
        controlAll(request, to: [node], timeout: timeout)[node]
    }

    /// Send `request` to every node of `nodes` at once and wait for their answers, each for at
    /// most `timeout` (all in parallel): the answers that came, by node.
    public func controlAll(_ request: ControlRequest, to nodes: [NodeID], timeout: Duration) -> [NodeID: ControlReply] {
        guard !isClosed else { return [:] }
        return withTurn {
            var waiting: [UInt64: NodeID] = [:]
            for node in nodes {
                guard let address = self.nodes[node] else { continue }
                nextControlID += 1
                let bytes = WireCodec.encode(.control(request, id: nextControlID, key: key))
                guard bytes.count <= WireCodec.maxDatagramBytes else { return nodes.reduce(into: [:]) { $0[$1] = .error("control request too large") } }
                waiting[nextControlID] = node
                socket.send(bytes, to: address)
            }
            var replies: [NodeID: ControlReply] = [:]
            let deadline = ClientSocket.now() + UInt64(NodeConfig.nanoseconds(timeout))
            while !waiting.isEmpty && !isClosed {
                readAll { message, _ in
                    if case .controlReply(let reply, let id) = message, let node = waiting.removeValue(forKey: id) {
                        replies[node] = reply
                    } else {
                        countStray(message)
                    }
                }
                if waiting.isEmpty || socket.wait(until: deadline) == .timedOut { break }
            }
            publish()
            return replies
        }
    }

    /// Send raw bytes to a node (for tests of malformed input). Returns false if the node is unknown.
    @discardableResult
    public func sendRaw(_ bytes: [UInt8], to node: NodeID) -> Bool {
        guard !isClosed else { return false }
        return withTurn {
            guard let address = nodes[node] else { return false }
            socket.send(bytes, to: address)
            return true
        }
    }

    // MARK: - Driving the state machine (under `turn`)

    private func withTurn<T>(_ body: () -> T) -> T {
        turn.lock()
        defer { turn.unlock() }
        return body()
    }

    /// Carry out `actions` and then whatever replies and timers bring, until the operation ends.
    ///
    /// Replies that came after an earlier operation ended (duplicates) are read with this one's
    /// datagrams and counted as they would be between operations: there is no read before the
    /// send, and none after the answer (each would be one more system call per operation).
    private func run(_ first: [ClientStateMachine.Action]) -> ClientStateMachine.Completion? {
        var done: ClientStateMachine.Completion?
        func carryOut(_ actions: [ClientStateMachine.Action]) {
            for action in actions {
                switch action {
                case .send(let request, let to):
                    stats.requestsSent += 1
                    if let address = nodes[to] { socket.send(WireCodec.encode(.clientRequest(request)), to: address) }
                case .startTimer(let timer, let after):
                    timers.append((ClientSocket.now() + after, timer))
                case .finish(let completion):
                    stats.redirects += completion.redirects
                    done = completion
                }
            }
        }
        carryOut(first)
        while done == nil {
            let (closed, cancelled) = shared.withLockedValue { ($0.closed, $0.cancelled) }
            if closed || cancelled {
                carryOut(machine.abandon(closed ? "client closed" : "unanswered"))
                break
            }
            // Timers that are due, earliest first.
            let now = ClientSocket.now()
            while done == nil, let i = timers.indices.filter({ timers[$0].deadline <= now }).min(by: { timers[$0].deadline < timers[$1].deadline }) {
                let timer = timers.remove(at: i).timer
                let next = machine.timerFired(timer, rng: &rng)
                if timer.kind == .attempt, !next.isEmpty { stats.attemptTimeouts += 1 }
                carryOut(next)
            }
            if done != nil { break }
            let wakeAt = timers.map(\.deadline).min() ?? (now + 1_000_000_000)
            if socket.wait(until: wakeAt) == .readable {
                readAll(until: { done != nil }) { message, from in
                    if case .clientReply(let reply) = message, reply.client == clientID, let from {
                        if machine.currentSeq == reply.seq {
                            carryOut(machine.receive(reply, from: from, rng: &rng))
                        } else {
                            stats.duplicateReplies += 1
                        }
                    } else {
                        countStray(message)
                    }
                }
            }
        }
        // The machine ignores the timers of an operation that ended; drop them.
        timers.removeAll(keepingCapacity: true)
        publish()
        return done
    }

    /// Read every datagram waiting (or until `stop` says so), decoded, with the node that sent it
    /// (nil for a stranger, whose datagrams are counted and dropped).
    private func readAll(until stop: () -> Bool = { false }, _ handle: (WireMessage, NodeID?) -> Void) {
        var n = 0
        while n < 10_000, !stop(), socket.receive({ bytes, raw in
            guard let raw, let from = byAddress[raw], let message = try? WireCodec.decode(bytes) else {
                stats.ignoredDatagrams += 1
                return
            }
            handle(message, from)
        }) { n += 1 }
    }

    /// Replies that arrived while no operation ran: answers to requests already finished.
    private func readLate() {
        readAll { message, _ in countStray(message) }
        publish()
    }

    /// A datagram that answers nothing in flight.
    private func countStray(_ message: WireMessage) {
        switch message {
        case .clientReply(let reply) where reply.client == clientID:
            stats.duplicateReplies += 1
        case .controlReply:
            stats.duplicateReplies += 1
        default:
            stats.ignoredDatagrams += 1
        }
    }

    /// Make the counters and the leader guess visible to other threads.
    private func publish() {
        let s = stats, guess = machine.leaderGuess
        shared.withLockedValue {
            $0.stats = s
            $0.leaderGuess = guess
        }
    }
}
