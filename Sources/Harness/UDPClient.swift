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
/// a retried write applies once. It runs its own one-thread event loop, where the state machine,
/// its timers and every datagram live; its blocking calls must not be made from an event loop, and
/// one client serves one caller at a time (make one client per concurrent caller).
public final class UDPClient: BlockingClient, @unchecked Sendable {
    /// This client's id in requests.
    public let clientID: ClientID

    private let group: MultiThreadedEventLoopGroup
    private let eventLoop: any EventLoop
    private let channel: any Channel
    /// The address book, by id and by address; changed on the event loop only (`setNodes`).
    private var nodes: [NodeID: SocketAddress]
    private var byAddress: [SocketAddress: NodeID]
    private let key: [UInt8]
    private let closed = NIOLockedValueBox(false)
    private let cancelled = NIOLockedValueBox(false)

    // Caller-thread state (one caller at a time).
    private var nextControlID: UInt64 = 0

    // Event-loop state.
    private var runner: ClientRunner!
    private var pendingControls: [UInt64: EventLoopPromise<ControlReply?>] = [:]
    private var stats = UDPClientStats()

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
        self.nodes = addresses
        let nodeIDs = addresses.keys.sorted()
        var m: [SocketAddress: NodeID] = [:]
        for (id, a) in addresses { m[a] = id }
        self.byAddress = m
        self.key = Array(clusterKey.utf8)
        self.clientID = clientID
        let policy = ClientStateMachine.Policy(attemptTimeout: UInt64(NodeConfig.nanoseconds(attemptTimeout)),
                                               backoff: UInt64(NodeConfig.nanoseconds(backoff)))
        let machine = ClientStateMachine(client: clientID, members: nodeIDs, policy: policy)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        self.eventLoop = group.next()
        let allLoopback = addresses.values.allSatisfy(isLoopback)
        let v6 = addresses.values.contains { if case .v6 = $0 { return true } else { return false } }
        let host = allLoopback ? (v6 ? "::1" : "127.0.0.1") : (v6 ? "::" : "0.0.0.0")
        let handlerBox = WeakClientBox()
        do {
            let bootstrap = DatagramBootstrap(group: group)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ClientHandler(box: handlerBox))
                    }
                }
            if let boundSocket {
                self.channel = try bootstrap.withBoundSocket(boundSocket).wait()
            } else {
                self.channel = try bootstrap.bind(host: host, port: 0).wait()
            }
        } catch {
            try? group.syncShutdownGracefully()
            throw UDPClientError(describeBindError(error, address: "\(host):0"))
        }
        try? eventLoop.submit {
            handlerBox.client = self
            self.runner = ClientRunner(machine: machine, loop: self.eventLoop) { [unowned self] request, to in
                guard let address = self.nodes[to] else { return }
                self.write(WireCodec.encode(.clientRequest(request)), to: address)
            }
        }.wait()
    }

    deinit {
        // Only reached without `close()` when nothing is in flight (pending work keeps the client alive).
        if !isClosed {
            channel.close(promise: nil)
            try? group.syncShutdownGracefully()
        }
    }

    /// The client's local address.
    public var localAddress: SocketAddress? { channel.localAddress }

    /// The node ids this client knows.
    public var members: [NodeID] {
        guard !isClosed else { return [] }
        return (try? eventLoop.submit { self.runner.machine.members }.wait()) ?? []
    }

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
        try? eventLoop.submit {
            for (id, a) in parsed {
                if let old = self.nodes[id] { self.byAddress[old] = nil }
                self.nodes[id] = a
                self.byAddress[a] = id
            }
            self.runner.setMembers(members)
        }.wait()
    }

    /// The node the client believes leads (0 if it does not know).
    public var leaderHint: NodeID {
        guard !isClosed else { return noNode }
        return (try? eventLoop.submit { self.runner.machine.leaderGuess }.wait()) ?? noNode
    }

    /// A snapshot of the counters.
    public var statistics: UDPClientStats {
        guard !isClosed else { return stats }
        return (try? eventLoop.submit { () -> UDPClientStats in
            var s = self.stats
            s.requestsSent = self.runner.stats.requestsSent
            s.redirects = self.runner.stats.redirects
            s.attemptTimeouts = self.runner.stats.attemptTimeouts
            return s
        }.wait()) ?? UDPClientStats()
    }

    /// Replies that arrived for requests already finished.
    public var duplicateReplies: Int { statistics.duplicateReplies }

    /// Close the socket and stop the client's event loop; an operation in flight ends unanswered.
    /// Safe to call twice.
    public func close() {
        let first = closed.withLockedValue { (c: inout Bool) -> Bool in
            defer { c = true }
            return !c
        }
        guard first else { return }
        try? eventLoop.submit {
            self.runner.abandon("client closed")
            for p in self.pendingControls.values { p.succeed(nil) }
            self.pendingControls.removeAll()
        }.wait()
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private var isClosed: Bool { closed.withLockedValue { $0 } }

    /// Cut short the operation in progress, from any thread: its `perform` returns at once, abandoned
    /// ("unanswered"), and so does every later one. For stopping a workload.
    public func cancel() {
        cancelled.withLockedValue { $0 = true }
        guard !isClosed else { return }
        _ = try? eventLoop.submit { self.runner.abandon("unanswered") }.wait()
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { cancelled.withLockedValue { $0 } }

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
        guard !isClosed else { return refused("client closed") }
        if isCancelled { return refused("unanswered") }
        let size = WireCodec.encode(.clientRequest(request)).count
        if size > WireCodec.maxDatagramBytes {
            return ClientStateMachine.Completion(
                request: request,
                outcome: .failed(.rejected("request of \(size) bytes exceeds the \(WireCodec.maxDatagramBytes)-byte datagram limit")),
                node: noNode, index: 0, attempts: 0, redirects: 0)
        }
        let deadline = UInt64(NodeConfig.nanoseconds(timeout))
        let future = try? eventLoop.submit { () -> EventLoopFuture<ClientStateMachine.Completion> in
            let future = self.runner.start(op, via: via, timeout: deadline)
            // Checked on the loop, so a `cancel()` racing with this start cannot be missed.
            if self.isCancelled { self.runner.abandon("unanswered") }
            return future
        }.wait()
        guard let future, let done = try? future.wait() else { return refused("client closed") }
        return done
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
        guard !isClosed else { return refused("client closed") }
        if isCancelled { return refused("unanswered") }
        let deadline = UInt64(NodeConfig.nanoseconds(timeout))
        let future = try? eventLoop.submit { () -> EventLoopFuture<ClientStateMachine.Completion> in
            self.runner.start(admin: admin, via: via, timeout: deadline)
        }.wait()
        guard let future, let done = try? future.wait() else { return refused("client closed") }
        return done
    }

    /// Send a control command to node `to` and wait for its answer (nil on timeout).
    public func control(_ request: ControlRequest, to node: NodeID, timeout: Duration = .seconds(1)) -> ControlReply? {
        guard !isClosed, let address = address(of: node) else { return nil }
        nextControlID += 1
        let id = nextControlID
        let bytes = WireCodec.encode(.control(request, id: id, key: key))
        guard bytes.count <= WireCodec.maxDatagramBytes else { return .error("control request too large") }
        let future = try? eventLoop.submit { () -> EventLoopFuture<ControlReply?> in
            let promise = self.eventLoop.makePromise(of: ControlReply?.self)
            self.pendingControls[id] = promise
            self.write(bytes, to: address)
            self.eventLoop.scheduleTask(in: timeout.timeAmount) {
                self.pendingControls.removeValue(forKey: id)?.succeed(nil)
            }
            return promise.futureResult
        }.wait()
        guard let future else { return nil }
        return (try? future.wait()) ?? nil
    }

    /// Send `request` to every node of `nodes` at once and wait for their answers, each for at
    /// most `timeout` (all in parallel): the answers that came, by node.
    public func controlAll(_ request: ControlRequest, to nodes: [NodeID], timeout: Duration) -> [NodeID: ControlReply] {
        guard !isClosed else { return [:] }
        var sent: [(NodeID, UInt64, SocketAddress)] = []
        let book = (try? eventLoop.submit { self.nodes }.wait()) ?? [:]
        for node in nodes {
            guard let address = book[node] else { continue }
            nextControlID += 1
            sent.append((node, nextControlID, address))
        }
        let requests = sent.map { (node, id, address) in
            (node, id, address, WireCodec.encode(.control(request, id: id, key: key)))
        }
        let futures = try? eventLoop.submit { () -> [(NodeID, EventLoopFuture<ControlReply?>)] in
            var out: [(NodeID, EventLoopFuture<ControlReply?>)] = []
            for (node, id, address, bytes) in requests {
                let promise = self.eventLoop.makePromise(of: ControlReply?.self)
                self.pendingControls[id] = promise
                self.write(bytes, to: address)
                self.eventLoop.scheduleTask(in: timeout.timeAmount) {
                    self.pendingControls.removeValue(forKey: id)?.succeed(nil)
                }
                out.append((node, promise.futureResult))
            }
            return out
        }.wait()
        var replies: [NodeID: ControlReply] = [:]
        for (node, future) in futures ?? [] {
            if let reply = (try? future.wait()) ?? nil { replies[node] = reply }
        }
        return replies
    }

    /// Send raw bytes to a node (for tests of malformed input). Returns false if the node is unknown.
    @discardableResult
    public func sendRaw(_ bytes: [UInt8], to node: NodeID) -> Bool {
        guard !isClosed, let address = address(of: node) else { return false }
        return (try? eventLoop.submit { self.write(bytes, to: address) }.wait()) != nil
    }

    /// Node `node`'s address in the book (read on the event loop).
    private func address(of node: NodeID) -> SocketAddress? {
        (try? eventLoop.submit { self.nodes[node] }.wait()) ?? nil
    }

    // MARK: - Event loop

    fileprivate func received(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard let message = try? WireCodec.decode(envelope.data.readableBytesView),
              let from = byAddress[envelope.remoteAddress] else {
            stats.ignoredDatagrams += 1
            return
        }
        switch message {
        case .clientReply(let reply):
            guard reply.client == clientID else {
                stats.ignoredDatagrams += 1
                return
            }
            if !runner.receive(reply, from: from) {
                // An answer to a request already finished or abandoned.
                stats.duplicateReplies += 1
            }
        case .controlReply(let reply, let id):
            guard let promise = pendingControls.removeValue(forKey: id) else {
                stats.duplicateReplies += 1
                return
            }
            promise.succeed(reply)
        case .raft, .clientRequest, .control:
            stats.ignoredDatagrams += 1
        }
    }

    private func write(_ bytes: [UInt8], to address: SocketAddress) {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }
}

/// The client the handler reports to, held weakly so a forgotten client can still be freed.
/// Set and read on the client's event loop only.
private final class WeakClientBox: @unchecked Sendable {
    weak var client: UDPClient?
}

private final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let box: WeakClientBox

    init(box: WeakClientBox) { self.box = box }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        box.client?.received(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
