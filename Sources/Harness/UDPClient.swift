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
    /// Attempts that got no answer in time.
    public var attemptTimeouts = 0
    /// Replies for a request the client had already finished (or given up on).
    public var duplicateReplies = 0
    /// Datagrams that were not replies to this client (malformed, from strangers, for another client).
    public var ignoredDatagrams = 0
    public init() {}
}

/// A blocking client of a UDP cluster, for the shell and benchmarks.
///
/// It finds the leader, follows `notLeader` hints, and on a timeout retries the same
/// `(client, seq)` on the next node, so a retried write applies once. It runs its own one-thread
/// event loop; its blocking calls must not be made from an event loop, and one client serves one
/// caller at a time (make one client per concurrent caller).
public final class UDPClient: @unchecked Sendable {
    /// What `perform` saw: the outcome (nil when nothing answered before the timeout), the node that
    /// gave it (or the last one tried), the log index of a write or read, attempts made and redirects followed.
    public typealias PerformResult = (outcome: ReplyOutcome?, node: NodeID, index: LogIndex, attempts: Int, redirects: Int)

    /// This client's id in requests.
    public let clientID: ClientID
    /// How long one attempt waits for an answer before the request is sent to the next node.
    public var attemptTimeout: Duration
    /// How long to wait before retrying when nobody knows the leader (an election is running).
    public var backoff: Duration

    private let group: MultiThreadedEventLoopGroup
    private let eventLoop: any EventLoop
    private let channel: any Channel
    private let nodes: [NodeID: SocketAddress]
    private let nodeIDs: [NodeID]
    private let byAddress: [SocketAddress: NodeID]
    private let key: [UInt8]
    private let closed = NIOLockedValueBox(false)
    private let cancelled = NIOLockedValueBox(false)

    // Caller-thread state (one caller at a time).
    private var seq: UInt64 = 0
    private var leaderGuess: NodeID = noNode
    private var nextControlID: UInt64 = 0

    // Event-loop state.
    /// The seq of the operation in progress, 0 when none is.
    private var currentSeq: UInt64 = 0
    /// The attempt waiting for an answer.
    private var waiter: Waiter?
    /// A final answer (done or failed) for `currentSeq` that arrived while no attempt waited.
    private var stash: (ClientReply, NodeID)?
    private var attemptNumber: UInt64 = 0
    private var pendingControls: [UInt64: EventLoopPromise<ControlReply?>] = [:]
    private var stats = UDPClientStats()

    private struct Waiter {
        var attempt: UInt64
        var target: NodeID
        var promise: EventLoopPromise<(ClientReply, NodeID)?>
    }

    /// A client of the nodes at `nodes` (ids to `HOST:PORT`).
    public convenience init(nodes: [NodeID: String], clusterKey: String = NodeConfig.defaultClusterKey,
                            clientID: ClientID) throws(UDPClientError) {
        var addrs: [NodeID: SocketAddress] = [:]
        do {
            for (id, text) in nodes { addrs[id] = try HostPort(parsing: text).socketAddress() }
        } catch {
            throw UDPClientError(error.message)
        }
        try self.init(addresses: addrs, clusterKey: clusterKey, clientID: clientID)
    }

    /// A client of the nodes at `addresses`. The socket binds to 127.0.0.1 on an ephemeral port when
    /// every node is on loopback, otherwise to the wildcard address.
    public init(addresses: [NodeID: SocketAddress], clusterKey: String = NodeConfig.defaultClusterKey,
                clientID: ClientID, attemptTimeout: Duration = .milliseconds(200),
                backoff: Duration = .milliseconds(25)) throws(UDPClientError) {
        if addresses.isEmpty { throw UDPClientError("a client needs at least one node address") }
        self.nodes = addresses
        self.nodeIDs = addresses.keys.sorted()
        var m: [SocketAddress: NodeID] = [:]
        for (id, a) in addresses { m[a] = id }
        self.byAddress = m
        self.key = Array(clusterKey.utf8)
        self.clientID = clientID
        self.attemptTimeout = attemptTimeout
        self.backoff = backoff
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        self.eventLoop = group.next()
        let allLoopback = addresses.values.allSatisfy(isLoopback)
        let v6 = addresses.values.contains { if case .v6 = $0 { return true } else { return false } }
        let host = allLoopback ? (v6 ? "::1" : "127.0.0.1") : (v6 ? "::" : "0.0.0.0")
        let handlerBox = WeakClientBox()
        do {
            self.channel = try DatagramBootstrap(group: group)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ClientHandler(box: handlerBox))
                    }
                }
                .bind(host: host, port: 0).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw UDPClientError(describeBindError(error, address: "\(host):0"))
        }
        try? eventLoop.submit { handlerBox.client = self }.wait()
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
    public var members: [NodeID] { nodeIDs }

    /// The node the client believes leads (0 if it does not know).
    public var leaderHint: NodeID { leaderGuess }

    /// A snapshot of the counters.
    public var statistics: UDPClientStats {
        guard !isClosed else { return stats }
        return (try? eventLoop.submit { self.stats }.wait()) ?? UDPClientStats()
    }

    /// Replies that arrived for requests already finished.
    public var duplicateReplies: Int { statistics.duplicateReplies }

    /// Close the socket and stop the client's event loop. Safe to call twice.
    public func close() {
        let first = closed.withLockedValue { (c: inout Bool) -> Bool in
            defer { c = true }
            return !c
        }
        guard first else { return }
        try? eventLoop.submit {
            self.waiter?.promise.succeed(nil)
            self.waiter = nil
            for p in self.pendingControls.values { p.succeed(nil) }
            self.pendingControls.removeAll()
        }.wait()
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private var isClosed: Bool { closed.withLockedValue { $0 } }

    /// Cut short the operation in progress, from any thread: its `perform` returns without an
    /// answer (nil outcome) at once, and so does every later one. For stopping a workload.
    public func cancel() {
        cancelled.withLockedValue { $0 = true }
        guard !isClosed else { return }
        _ = try? eventLoop.submit {
            self.waiter?.promise.succeed(nil)
            self.waiter = nil
        }.wait()
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { cancelled.withLockedValue { $0 } }

    // MARK: - Operations

    /// Run `op` to completion: send it to the believed leader (or `via` only), follow redirects, and
    /// retry the same request on another node after each `attemptTimeout`, until `timeout` has passed.
    public func perform(_ op: KVOperation, timeout: Duration = .seconds(5), via: NodeID? = nil) -> PerformResult {
        seq += 1
        let request = ClientRequest(client: clientID, seq: seq, op: op)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var target: NodeID
        if let via {
            target = via
        } else if leaderGuess != noNode {
            target = leaderGuess
        } else {
            target = nodeIDs[Int.random(in: 0..<nodeIDs.count)]
        }
        var attempts = 0
        var redirects = 0
        guard !isClosed else { return (nil, target, 0, 0, 0) }
        if let via, nodes[via] == nil {
            return (.failed("node \(via) is not a member"), via, 0, 0, 0)
        }
        let bytes = WireCodec.encode(.clientRequest(request))
        if bytes.count > WireCodec.maxDatagramBytes {
            return (.failed("request of \(bytes.count) bytes exceeds the \(WireCodec.maxDatagramBytes)-byte datagram limit"),
                    target, 0, 0, 0)
        }
        onLoop {
            self.currentSeq = request.seq
            self.stash = nil
        }
        defer {
            onLoop {
                self.currentSeq = 0
                self.stash = nil
                self.waiter?.promise.succeed(nil)
                self.waiter = nil
            }
        }
        while clock.now < deadline && !isCancelled {
            attempts += 1
            let wait = min(attemptTimeout, deadline - clock.now)
            guard let answer = exchange(bytes, target: target, wait: wait) else {
                // No answer in time: try the next node with the same request.
                if via == nil {
                    leaderGuess = noNode
                    target = next(after: target)
                }
                continue
            }
            let (reply, from) = answer
            switch reply.outcome {
            case .done:
                leaderGuess = from
                return (reply.outcome, from, reply.index, attempts, redirects)
            case .failed:
                return (reply.outcome, from, reply.index, attempts, redirects)
            case .notLeader(let hint):
                if via != nil { return (reply.outcome, from, 0, attempts, redirects) }
                redirects += 1
                onLoop { self.stats.redirects += 1 }
                if hint != noNode && hint != from && nodes[hint] != nil {
                    leaderGuess = hint
                    target = hint
                } else {
                    leaderGuess = noNode
                    target = next(after: from)
                    let pause = min(backoff, deadline - clock.now)
                    if pause > .zero { sleep(pause) }
                }
            }
        }
        return (nil, target, 0, attempts, redirects)
    }

    /// Send a control command to node `to` and wait for its answer (nil on timeout).
    public func control(_ request: ControlRequest, to node: NodeID, timeout: Duration = .seconds(1)) -> ControlReply? {
        guard !isClosed, let address = nodes[node] else { return nil }
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

    /// Send raw bytes to a node (for tests of malformed input). Returns false if the node is unknown.
    @discardableResult
    public func sendRaw(_ bytes: [UInt8], to node: NodeID) -> Bool {
        guard !isClosed, let address = nodes[node] else { return false }
        return (try? eventLoop.submit { self.write(bytes, to: address) }.wait()) != nil
    }

    // MARK: - Internals

    private func next(after node: NodeID) -> NodeID {
        guard let i = nodeIDs.firstIndex(of: node) else { return nodeIDs[0] }
        return nodeIDs[(i + 1) % nodeIDs.count]
    }

    private func sleep(_ d: Duration) {
        guard !isClosed else { return }
        let f = try? eventLoop.submit { self.eventLoop.scheduleTask(in: d.timeAmount) {}.futureResult }.wait()
        _ = try? f?.wait()
    }

    /// Run `body` on the event loop and wait for it (nothing happens once the client is closed).
    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        guard !isClosed else { return }
        _ = try? eventLoop.submit(body).wait()
    }

    /// Send one attempt and wait for its answer, or nil after `wait`.
    private func exchange(_ bytes: [UInt8], target: NodeID, wait: Duration) -> (ClientReply, NodeID)? {
        guard !isClosed, let address = nodes[target] else { return nil }
        let future = try? eventLoop.submit { () -> EventLoopFuture<(ClientReply, NodeID)?> in
            // Checked on the loop, so a `cancel()` racing with this attempt cannot be missed.
            if self.isCancelled { return self.eventLoop.makeSucceededFuture(nil) }
            if let early = self.stash {
                self.stash = nil
                return self.eventLoop.makeSucceededFuture(early)
            }
            self.waiter?.promise.succeed(nil)
            self.attemptNumber += 1
            let attempt = self.attemptNumber
            let promise = self.eventLoop.makePromise(of: (ClientReply, NodeID)?.self)
            self.waiter = Waiter(attempt: attempt, target: target, promise: promise)
            self.stats.requestsSent += 1
            self.write(bytes, to: address)
            self.eventLoop.scheduleTask(in: wait.timeAmount) {
                guard let w = self.waiter, w.attempt == attempt else { return }
                self.stats.attemptTimeouts += 1
                self.waiter = nil
                w.promise.succeed(nil)
            }
            return promise.futureResult
        }.wait()
        guard let future else { return nil }
        return (try? future.wait()) ?? nil
    }

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
            guard reply.seq == currentSeq, currentSeq != 0 else {
                // An answer to a request already finished or abandoned.
                stats.duplicateReplies += 1
                return
            }
            guard let w = waiter else {
                // Between attempts: keep a final answer for the next one; a redirect is stale.
                if case .notLeader = reply.outcome { return }
                stash = (reply, from)
                return
            }
            if case .notLeader = reply.outcome, from != w.target {
                // A late redirect from a node tried earlier: the current attempt is elsewhere.
                return
            }
            waiter = nil
            w.promise.succeed((reply, from))
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
