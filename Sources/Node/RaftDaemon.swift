import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RaftCore
import KV
import Wire
import Storage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a node could not start. The text is meant for a person: it names the address, the
/// directory or the setting at fault.
public struct DaemonError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a node's transport saw and did, for status and tests.
public struct DaemonCounters: Sendable, Hashable {
    /// Datagrams read from the socket.
    public var datagramsReceived: UInt64 = 0
    /// Datagrams the codec rejected.
    public var droppedMalformed: UInt64 = 0
    /// Raft traffic from non-members (or with a forged sender), control messages with a wrong key,
    /// and replies nobody here asked for.
    public var droppedUnknown: UInt64 = 0
    /// Raft messages received from members and given to the core.
    public var raftReceived: UInt64 = 0
    /// Raft messages the core asked to send.
    public var raftSent: UInt64 = 0
    /// Raft messages dropped by cuts, blocks and loss (in either direction).
    public var droppedByFaults: UInt64 = 0
    /// Extra copies sent because of duplication faults.
    public var duplicated: UInt64 = 0
    /// Messages too large for one datagram, not sent.
    public var oversized: UInt64 = 0
    /// Client requests received.
    public var clientRequests: UInt64 = 0
    /// Client replies sent.
    public var clientReplies: UInt64 = 0
    /// Client replies for which no client address was known.
    public var unroutableReplies: UInt64 = 0
    /// Control requests accepted.
    public var controlRequests: UInt64 = 0
    /// Errors the socket reported while reading, and datagrams it did not send (the kernel refused
    /// them, or the send buffer was full).
    public var socketErrors: UInt64 = 0
    /// `Ready` values handled, and storage writes done for them.
    public var readies: UInt64 = 0
    public var storageWrites: UInt64 = 0
    /// Snapshots this node took, and snapshots it installed from a leader.
    public var snapshotsTaken: UInt64 = 0
    public var snapshotsInstalled: UInt64 = 0

    public init() {}
}

/// One real Raft node: a `KVServer` driven over a SwiftNIO UDP channel, persisting through
/// `NodeStorage`. NIO receives; what a turn of the loop sends waits in a `DatagramOutbox` and goes
/// out in one `sendmmsg` on a duplicate of the same socket (`flush()`).
///
/// For each `Ready`, a leader sends its messages first, so that the followers' syncs run while its
/// own does (thesis §10.2.1), then stores it; any other node stores, syncs, then sends (votes and
/// acknowledgements promise what is on disk). The core runs with `asyncStorageWrites`: the driver
/// reports each store durable (`RaftNode.persisted(through:term:)`), and the leader's entries count
/// toward a commit from then on. Datagrams read in one event-loop turn are all stepped into the core
/// before the `Ready` is taken (in `channelReadComplete`), so they share one storage write and one
/// sync (group commit that follows the load).
///
/// With `NodeConfig.backgroundWrites`, the driver does what the simulator's does with `disk D..D`
/// (`SimCluster.drainWithWriter`), by the rule of `WritePipeline`: a leader hands its storage work
/// to its `LogWriter` thread, which stores and syncs everything handed over while its previous
/// batch ran in one go, and goes on taking answers and proposals meanwhile.
///
/// All mutable state lives on the channel's event loop. The public methods may be called from any
/// thread that is not that event loop.
public final class RaftDaemon: @unchecked Sendable {
    /// The configuration the node runs with.
    public let config: NodeConfig
    /// The address the socket is bound to.
    public private(set) var localAddress: SocketAddress?
    /// The event loop all node state is confined to.
    public let eventLoop: any EventLoop

    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let onFatal: @Sendable (String) -> Void
    private let log: @Sendable (String) -> Void
    private let clusterKey: [UInt8]
    /// The address book: where each node is (from `config.peers`, and `setPeer` control requests
    /// for nodes added later). Event-loop state after the start.
    private var peerAddresses: [NodeID: SocketAddress]
    /// The same, by address: Raft traffic is accepted only from these.
    private var members: [SocketAddress: NodeID]
    private let stopRequested = NIOLockedValueBox(false)

    // Event-loop state.
    /// Receives (SwiftNIO); sending goes through `outbox` on `sendDescriptor`.
    private var channel: (any Channel)?
    /// A duplicate of the channel's socket that `outbox` sends on (-1 before the start and after halting).
    private var sendDescriptor: Int32 = -1
    /// What this turn of the loop sends, in one sendmmsg at `flush()`.
    private var outbox = DatagramOutbox()
    private var server: KVServer?
    private var storage: NodeStorage?
    /// Stores the Readies the event loop does not store itself (see `drain`); only with
    /// `NodeConfig.backgroundWrites`.
    private var writer: LogWriter?
    /// What went to `writer` and is not durable yet, and the output waiting for it: the messages of
    /// a node that is not leading (answers and votes promise what is on disk) and control replies
    /// (a report or a snapshot describes durable state).
    private var writes = WritePipeline<HeldOutput>()
    private var tickTask: RepeatedTask?
    private var stopped = false
    private var shutDown = false
    private var clientAddresses: [ClientID: SocketAddress] = [:]
    private var faults = TransportFaults()
    private var counters = DaemonCounters()
    private var rng = SystemRandomNumberGenerator()
    private var role: Role = .follower
    private var knownLeader: NodeID = noNode
    private var loggedOversized = false
    /// The chained hash of the persisted log (equal to the core's log after every `drain`).
    private var chain = LogHashChain()
    /// Control requests read in this burst, answered after the burst's `Ready` was handled, so that
    /// a report always describes persisted state (its log hashes cover exactly the log it reports).
    private var pendingControl: [(request: ControlRequest, id: UInt64, from: SocketAddress)] = []
    /// The test-only corruption (`NodeConfig.testCorruptLogAt`): the index it hit, once it did.
    private var corruptedIndex: LogIndex?

    /// A random id of this start of the node, reported in `status` so that a checker can tell a
    /// restarted node from one whose indexes went back.
    public let incarnation = UInt64.random(in: 1 ... .max)

    /// Start a node: validate `config`, bind its UDP socket, open its data directory, restore
    /// the core from it, and start ticking. Throws `DaemonError` with a clear message (and leaves
    /// nothing behind: the socket is closed, nothing in the directory is overwritten) if any step fails.
    ///
    /// - Parameters:
    ///   - group: the event loops to run on; by default the node makes a one-thread group of its own.
    ///   - log: receives the node's few log lines (start, role changes, errors); by default standard error.
    ///   - onFatal: called (on the event loop) after a storage error stopped the node; by default the
    ///     process exits with status 1, so nothing unpersisted is ever acknowledged.
    ///
    /// The node owns `config.listenDescriptor` from this call on: it is closed when the node stops,
    /// and also when the start fails.
    public static func start(_ config: NodeConfig, group: (any EventLoopGroup)? = nil,
                             log: @escaping @Sendable (String) -> Void = logError,
                             onFatal: (@Sendable (String) -> Void)? = nil) throws(DaemonError) -> RaftDaemon {
        func giveUp(_ message: String) -> DaemonError {
            if let fd = config.listenDescriptor { close(fd) }
            return DaemonError(message)
        }
        do { try config.validate() } catch { throw giveUp(error.message) }
        var addrs: [NodeID: SocketAddress] = [:]
        let listenAddress: SocketAddress
        do {
            for (id, hp) in config.peers { addrs[id] = try hp.socketAddress() }
            listenAddress = try config.listen.socketAddress()
        } catch {
            throw giveUp(error.message)
        }
        let ownsGroup = group == nil
        let g = group ?? MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let daemon = RaftDaemon(config: config, group: g, ownsGroup: ownsGroup, peerAddresses: addrs, log: log,
                                onFatal: onFatal ?? { _ in terminateProcess(1) })
        do {
            try daemon.bind(listenAddress)
            try daemon.openAndRun()
        } catch {
            daemon.abandon()
            throw error
        }
        return daemon
    }

    private init(config: NodeConfig, group: any EventLoopGroup, ownsGroup: Bool,
                 peerAddresses: [NodeID: SocketAddress], log: @escaping @Sendable (String) -> Void,
                 onFatal: @escaping @Sendable (String) -> Void) {
        self.config = config
        self.log = log
        self.group = group
        self.ownsGroup = ownsGroup
        self.eventLoop = group.next()
        self.onFatal = onFatal
        self.clusterKey = Array(config.clusterKey.utf8)
        self.peerAddresses = peerAddresses
        var m: [SocketAddress: NodeID] = [:]
        for (id, a) in peerAddresses { m[a] = id }
        self.members = m
    }

    private func bind(_ address: SocketAddress) throws(DaemonError) {
        let bootstrap = DatagramBootstrap(group: eventLoop)
            // The default allocator hands out 2048-byte buffers and silently truncates larger datagrams.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelOption(.maxMessagesPerRead, value: 32)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DaemonHandler(daemon: self))
                }
            }
        do {
            let ch: any Channel
            let fd: Int32
            if let inherited = config.listenDescriptor {
                fd = inherited
                ch = try RaftDaemon.adopt(fd, for: config.listen, with: bootstrap)
            } else {
                fd = try RaftDaemon.boundSocket(address)
                ch = try bootstrap.withBoundSocket(fd).wait()
            }
            let sender = dup(fd)
            guard sender >= 0 else {
                let code = errno
                try? ch.close().wait()
                throw IOError(errnoCode: code, reason: "dup")
            }
            let local = ch.localAddress
            try eventLoop.submit {
                self.channel = ch
                self.sendDescriptor = sender
            }.wait()
            localAddress = local
        } catch let error as DaemonError {
            throw error
        } catch {
            throw DaemonError(describeBindError(error, address: config.listen.description))
        }
    }

    /// A new UDP socket bound to `address` (SwiftNIO takes it over for receiving).
    private static func boundSocket(_ address: SocketAddress) throws -> Int32 {
        let fd = socket(address.protocol.rawValue, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        let r = address.withSockAddr { sa, n in Glibc.bind(fd, sa, socklen_t(n)) }
        guard r == 0 else {
            let code = errno
            close(fd)
            throw IOError(errnoCode: code, reason: "bind")
        }
        return fd
    }

    /// A channel on the inherited socket `fd`, after checking that it is a UDP socket bound to
    /// `listen`'s port (when that names one).
    private static func adopt(_ fd: Int32, for listen: HostPort, with bootstrap: DatagramBootstrap) throws -> any Channel {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
            throw DaemonError("--listen-fd \(fd) is not an open socket (\(String(cString: strerror(errno))))")
        }
        guard type == Int32(SOCK_DGRAM.rawValue) else {
            close(fd)
            throw DaemonError("--listen-fd \(fd) is not a UDP socket")
        }
        let ch = try bootstrap.withBoundSocket(fd).wait()
        if listen.port != 0, let port = ch.localAddress?.port, port != listen.port {
            try? ch.close().wait()
            throw DaemonError("the socket on fd \(fd) is bound to port \(port), not to \(listen)")
        }
        return ch
    }

    private func openAndRun() throws(DaemonError) {
        let store: NodeStorage
        do {
            store = try NodeStorage.open(directory: config.dataDirectory, nodeID: config.id,
                                         clusterID: config.clusterID,
                                         options: StorageOptions(fsync: config.fsync))
        } catch {
            throw DaemonError(error.description)
        }
        let server: KVServer
        do {
            var rc = config.raftConfig()
            rc.asyncStorageWrites = true
            let raft = try RaftNode(config: rc, storage: store, random: SystemRandomNumberGenerator())
            server = try KVServer(raft: raft, snapshotEvery: config.snapshotEvery)
        } catch {
            store.close()
            throw DaemonError("cannot restore node \(config.id) from \(config.dataDirectory): \(error)")
        }
        let boxed = UnsafeTransfer((store, server))
        do {
            try eventLoop.submit {
                let (store, server) = boxed.value
                self.storage = store
                self.server = server
                if self.config.backgroundWrites { self.writer = self.makeWriter(store) }
                let log = server.raft.log
                // A chain restarted from a snapshot starts from the hash its metadata keeps.
                self.chain = .after(log.snapshot.metadata)
                self.chain.append(log.entries)
                server.logHash = { [unowned self] index in self.chain.hash(at: index) }
                let tick = self.config.tick.timeAmount
                self.tickTask = self.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
                    self.onTick()
                }
                let hs = store.hardState
                let entries = store.lastIndex + 1 - store.firstIndex
                self.log("raftd: node \(self.config.id) listening on \(self.config.listen), \(server.raft.membership.isEmpty ? "joining (no configuration yet)" : "\(server.raft.membership)"), "
                         + "term \(hs.term), \(entries) log entries, commit \(hs.commit), data \(self.config.dataDirectory)"
                         + (!self.config.fsync ? " (not synced)" : store.writesDirectly ? " (direct synchronous writes)" : " (write and fdatasync)"))
                self.drain()
            }.wait()
        } catch {
            throw DaemonError("cannot start node \(config.id): \(error)")
        }
    }

    /// Undo a failed start.
    private func abandon() {
        if let ch = try? eventLoop.submit({ () -> (any Channel)? in
            self.stopped = true
            self.tickTask?.cancel()
            self.writer?.stop()
            self.writer = nil
            self.storage?.close()
            self.storage = nil
            self.closeSendDescriptor()
            return self.channel
        }).wait() {
            try? ch.close().wait()
        }
        if ownsGroup { try? group.syncShutdownGracefully() }
    }

    // MARK: - Public control

    /// Stop the node: no more ticks or datagrams, storage closed, socket closed. Safe to call more
    /// than once. Must not be called on the node's event loop.
    public func stop() {
        let first = stopRequested.withLockedValue { (done: inout Bool) -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let ch = try? eventLoop.submit { () -> (any Channel)? in
            if !self.stopped { self.halt() }
            return self.channel
        }.wait()
        if let ch { try? ch.closeFuture.wait() }
        if ownsGroup { try? group.syncShutdownGracefully() }
    }

    /// Whether `stop()` was called (the event loop may be gone).
    private var isStopRequested: Bool { stopRequested.withLockedValue { $0 } }

    /// Block until the node stopped (by `stop()` or a fatal error).
    public func waitUntilStopped() {
        guard !isStopRequested, let ch = (try? eventLoop.submit({ self.channel }).wait()) ?? nil else { return }
        try? ch.closeFuture.wait()
    }

    /// The node's state as the `status` control command reports it (nil once stopped).
    public func report() -> NodeReport? {
        guard !isStopRequested else { return nil }
        return (try? eventLoop.submit { self.makeReport() }.wait()) ?? nil
    }

    /// The transport's counters.
    public func currentCounters() -> DaemonCounters {
        guard !isStopRequested else { return DaemonCounters() }
        return (try? eventLoop.submit { self.counters }.wait()) ?? DaemonCounters()
    }

    /// The value of `key` in this node's applied state (nil if absent or stopped).
    public func localValue(_ key: String) -> String? {
        guard !isStopRequested else { return nil }
        return (try? eventLoop.submit { self.server?.store.get(key) }.wait()) ?? nil
    }

    /// Storage syncs done so far.
    public func fsyncCount() -> Int {
        guard !isStopRequested else { return 0 }
        return (try? eventLoop.submit { self.storage?.fsyncCount ?? 0 }.wait()) ?? 0
    }

    // MARK: - Event loop

    private func halt() {
        stopped = true
        tickTask?.cancel()
        tickTask = nil
        writer?.stop()
        writer = nil
        storage?.close()
        storage = nil
        server = nil
        closeSendDescriptor()
        channel?.close(promise: nil)
    }

    private func closeSendDescriptor() {
        if sendDescriptor >= 0 { close(sendDescriptor) }
        sendDescriptor = -1
    }

    /// Sends what this turn of the loop queued in `outbox`, in one system call.
    private func flush() {
        guard outbox.count > 0 else { return }
        guard sendDescriptor >= 0 else {
            outbox.removeAll()  // halted: the socket is closed
            return
        }
        let (notSent, _) = outbox.flush(on: sendDescriptor)
        if notSent > 0 { counters.socketErrors += UInt64(notSent) }
    }

    private func fatal(_ message: String) {
        log("raftd: node \(config.id): FATAL: \(message); stopping (nothing more is acknowledged)")
        halt()
        onFatal(message)
    }

    private func onTick() {
        guard !stopped, let server else { return }
        server.raft.tick()
        drain()
    }

    fileprivate func readComplete() {
        drain()
        guard !pendingControl.isEmpty else { return }
        let requests = pendingControl
        pendingControl.removeAll()
        for r in requests {
            let reply = control(r.request)
            // Answered once what the loop handed to storage so far is durable.
            hold(.control(reply, id: r.id, to: r.from))
        }
        flush()
    }

    fileprivate func socketError(_ error: any Error) {
        counters.socketErrors += 1
    }

    fileprivate func receive(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard !stopped, let server else { return }
        counters.datagramsReceived += 1
        let message: WireMessage
        do {
            message = try WireCodec.decode(envelope.data.readableBytesView)
        } catch {
            counters.droppedMalformed += 1
            return
        }
        let source = envelope.remoteAddress
        switch message {
        case .raft(let m):
            guard let from = members[source], from != config.id, m.from == from, m.to == config.id else {
                counters.droppedUnknown += 1
                return
            }
            if faults.blocksReceive(from: from) {
                counters.droppedByFaults += 1
                return
            }
            counters.raftReceived += 1
            server.raft.step(m)
        case .clientRequest(let request):
            counters.clientRequests += 1
            rememberClient(request.client, at: source)
            for r in server.receive(request) { sendReply(r) }
        case .control(let request, let id, let key):
            guard keyMatches(key) else {
                counters.droppedUnknown += 1
                return
            }
            counters.controlRequests += 1
            if pendingControl.count < 1_024 { pendingControl.append((request, id, source)) }
        case .clientReply, .controlReply:
            counters.droppedUnknown += 1
        }
    }

    /// Persist, send, apply, acknowledge, for as long as the core has work. A leader sends first.
    /// With `backgroundWrites`, by the rule of `WritePipeline`: a leader hands its storage work to
    /// `writer`; any other node stores here and sends after the sync (or, while a write is still
    /// with `writer`, queues behind it). Without, every node stores here, then sends what waited for
    /// the sync; the pipeline stays idle.
    private func drain() {
        guard !stopped, let server, let storage else { return }
        while var rd = server.ready() {
            counters.readies += 1
            if config.testCorruptLogAt != nil { corrupt(&rd) }
            let leading = server.raft.role == .leader
            if leading {
                for m in rd.messages { sendRaft(m) }
                flush()
            }
            if StorageWrite.needed(by: rd) {
                counters.storageWrites += 1
                if let writer, writes.handsOver(leading: leading) {
                    writer.submit(StorageWrite(rd))
                    writes.handOver(rd)
                } else {
                    do {
                        try storage.save(rd)
                    } catch {
                        fatal("storage error: \(error)")
                        return
                    }
                    server.raft.persisted(rd)
                }
                if let s = rd.snapshot {
                    if rd.installsSnapshot {
                        chain = .after(s.metadata)
                        counters.snapshotsInstalled += 1
                    } else {
                        chain.compact(to: s.index)
                        counters.snapshotsTaken += 1
                    }
                }
                chain.append(rd.entries)
            }
            if !leading { for m in rd.messages { hold(.raft(m)) } }
            let out = server.advance(rd)
            if let failure = out.failure {
                fatal(failure)
                return
            }
            if let ss = rd.softState { roleChanged(ss, term: server.raft.term) }
            for r in out.replies { sendReply(r) }
        }
        flush()
    }

    /// A writer thread whose reports come back to the event loop.
    private func makeWriter(_ store: NodeStorage) -> LogWriter {
        LogWriter(storage: store) { [unowned self] result in
            self.eventLoop.execute {
                switch result {
                case .success(let durable): self.written(through: durable)
                case .failure(let error): if !self.stopped { self.fatal("storage error: \(error)") }
                }
            }
        }
    }

    /// Sends `output` now if nothing handed to `writer` is still being written, else once it is.
    private func hold(_ output: HeldOutput) {
        if let now = writes.hold(output) { send(now) }
    }

    private func send(_ output: HeldOutput) {
        switch output {
        case .raft(let m): sendRaft(m)
        case .control(let reply, let id, let to): send(.controlReply(reply, id: id), to: to)
        }
    }

    /// `writer` reports writes up to number `durable` on disk: the core hears of them, what waited
    /// for them goes, and the work that follows (commits, applies, answers) is taken.
    private func written(through durable: UInt64) {
        guard !stopped, let server else { return }
        for output in writes.written(through: durable, raft: server.raft) { send(output) }
        drain()
    }

    /// Logs leadership changes only (not every pre-vote or candidacy, which an isolated node repeats).
    private func roleChanged(_ ss: SoftState, term: Term) {
        defer {
            role = ss.role
            knownLeader = ss.leader
        }
        if ss.role == .leader {
            if role != .leader { log("raftd: node \(config.id) is leader (term \(term))") }
            return
        }
        if role == .leader {
            let l = ss.leader == noNode ? "leader unknown" : "leader \(ss.leader)"
            log("raftd: node \(config.id) stepped down (term \(term), \(ss.role.rawValue), \(l))")
        } else if ss.leader != noNode && ss.leader != knownLeader {
            log("raftd: node \(config.id) follows leader \(ss.leader) (term \(term))")
        }
    }

    private func rememberClient(_ client: ClientID, at address: SocketAddress) {
        if clientAddresses[client] == nil && clientAddresses.count >= 65_536 {
            // Forget everyone else rather than grow without bound; their replies may be lost and
            // they retry.
            clientAddresses.removeAll(keepingCapacity: true)
        }
        clientAddresses[client] = address
    }

    private func keyMatches(_ key: [UInt8]) -> Bool {
        guard key.count == clusterKey.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(key, clusterKey) { diff |= a ^ b }
        return diff == 0
    }

    // MARK: - Sending

    private func sendRaft(_ m: Message) {
        counters.raftSent += 1
        guard let address = peerAddresses[m.to], m.to != config.id else { return }
        if faults.blocksSend(to: m.to) {
            counters.droppedByFaults += 1
            return
        }
        let delays = faults.plan(to: m.to, using: &rng)
        if delays.isEmpty {
            counters.droppedByFaults += 1
            return
        }
        if delays.count > 1 { counters.duplicated += UInt64(delays.count - 1) }
        if delays.count == 1 && delays[0] == 0 {
            send(.raft(m), to: address)
            return
        }
        guard let bytes = encode(.raft(m)) else { return }
        for d in delays {
            if d == 0 {
                outbox.append(encoded: bytes, to: address)
            } else {
                let transfer = UnsafeTransfer(bytes)
                eventLoop.scheduleTask(in: .nanoseconds(Int64(clamping: d))) {
                    guard !self.stopped else { return }
                    self.outbox.append(encoded: transfer.value, to: address)
                    self.flush()
                }
            }
        }
    }

    private func sendReply(_ r: ClientReply) {
        guard let address = clientAddresses[r.client] else {
            counters.unroutableReplies += 1
            return
        }
        counters.clientReplies += 1
        send(.clientReply(r), to: address)
    }

    /// Queues `message` for `address` in `outbox` (sent at the next `flush()`).
    private func send(_ message: WireMessage, to address: SocketAddress) {
        let (size, accepted) = outbox.append(message, to: address)
        if !accepted { refuseOversized(size) }
    }

    /// The datagram for `message` on its own (for copies that faults delay), or nil if too large.
    private func encode(_ message: WireMessage) -> [UInt8]? {
        let bytes = WireCodec.encode(message)
        guard bytes.count <= WireCodec.maxDatagramBytes else {
            refuseOversized(bytes.count)
            return nil
        }
        return bytes
    }

    private func refuseOversized(_ size: Int) {
        counters.oversized += 1
        if !loggedOversized {
            loggedOversized = true
            log("raftd: node \(config.id): not sending a \(size)-byte message (limit \(WireCodec.maxDatagramBytes))")
        }
    }

    // MARK: - Control

    private func makeReport() -> NodeReport? {
        guard let server else { return nil }
        let r = server.raft
        let log = r.log
        let digest = server.store.digest
        var report = NodeReport(id: config.id, role: r.role, term: r.term, leader: r.leader, commit: log.committed,
                          applied: log.applied, lastIndex: log.lastIndex, lastTerm: log.lastTerm,
                          digest: digest, droppedMalformed: counters.droppedMalformed,
                          droppedUnknown: counters.droppedUnknown, vote: r.vote, firstIndex: log.firstIndex,
                          commitTerm: log.term(at: log.committed) ?? 0,
                          commitHash: chain.hash(at: log.committed) ?? 0, lastHash: chain.hash(at: log.lastIndex) ?? 0,
                          incarnation: incarnation, raftSent: counters.raftSent, raftReceived: counters.raftReceived,
                          droppedByFaults: counters.droppedByFaults,
                          snapshotsTaken: UInt64(r.stats.snapshotsTaken), snapshotsSent: UInt64(r.stats.snapshotsSent),
                          snapshotsInstalled: UInt64(r.stats.snapshotsInstalled))
            .withMembership(r.membership, latestChangeIndex: r.latestChangeIndex, transferee: r.leadTransferee)
        report.logSyncs = UInt64(storage?.fsyncCount ?? 0)
        return report
    }

    /// The test-only corruption: the first put at `testCorruptLogAt` or later gets another value
    /// before it is persisted, and so does the entry at that index whenever it is applied here. The
    /// core's own copy stays intact, so this node's log and state differ from its peers' while it
    /// goes on replicating as before.
    private func corrupt(_ rd: inout Ready) {
        guard let from = config.testCorruptLogAt else { return }
        if corruptedIndex == nil {
            for (i, e) in rd.entries.enumerated() where e.index >= from {
                if let bad = RaftDaemon.corrupted(e) {
                    rd.entries[i] = bad
                    corruptedIndex = e.index
                    log("raftd: node \(config.id): TEST HOOK: stored a corrupted entry at index \(e.index)")
                    break
                }
            }
        }
        guard let index = corruptedIndex else { return }
        for (i, e) in rd.committedEntries.enumerated() where e.index == index {
            if let bad = RaftDaemon.corrupted(e) { rd.committedEntries[i] = bad }
        }
    }

    /// `e` with its put's value changed, or nil if it is not a put.
    private static func corrupted(_ e: Entry) -> Entry? {
        guard e.kind == .normal, let c = try? Command.decode(e.data), case .put(let key, let value) = c.op else {
            return nil
        }
        var bad = e
        bad.data = Command(client: c.client, seq: c.seq, op: .put(key: key, value: value + "~corrupted")).encode()
        return bad
    }

    private func control(_ request: ControlRequest) -> ControlReply {
        guard let server else { return .error("node is stopping") }
        switch request {
        case .status:
            return makeReport().map { .status($0) } ?? .error("node is stopping")
        case .cut(let peers):
            faults.cut = Set(peers)
            return .ok
        case .blockOutgoing(let peers):
            faults.blockedOutgoing.formUnion(peers)
            return .ok
        case .setFaults(let peer, let loss, let dup, let dmin, let dmax):
            if loss > 1_000_000 || dup > 1_000_000 { return .error("loss and duplication are at most 1000000 ppm") }
            if dmin > dmax { return .error("delay range \(dmin)..\(dmax) ns is empty") }
            if dmax > 60_000_000_000 { return .error("delays above 60s are not supported") }
            if peer != noNode && peerAddresses[peer] == nil { return .error("node \(peer) is not a member") }
            let f = LinkFaults(lossPPM: loss, duplicatePPM: dup, delayNanos: dmin...dmax)
            if f.isNone { faults.links[peer] = nil } else { faults.links[peer] = f }
            return .ok
        case .heal:
            faults = TransportFaults()
            return .ok
        case .localGet(let key):
            return .localValue(server.store.get(key))
        case .logTail(let count):
            return .log(logTail(count: Int(count), of: server.raft.log))
        case .setPeer(let node, let text):
            if node == noNode { return .error("node ids start at 1") }
            if node == config.id { return .error("node \(node) is this node") }
            let address: SocketAddress
            do {
                address = try HostPort(parsing: text).socketAddress()
            } catch {
                return .error(error.message)
            }
            if let other = members[address], other != node { return .error("\(text) is node \(other)'s address") }
            if let old = peerAddresses[node] { members[old] = nil }
            peerAddresses[node] = address
            members[address] = node
            return .ok
        case .snapshot:
            // Nothing applied since the latest snapshot: that one is the answer.
            guard let index = server.takeSnapshot() else { return .snapshotTaken(index: server.raft.log.offset) }
            drain()
            return stopped ? .error("node is stopping") : .snapshotTaken(index: index)
        }
    }

    /// The last `count` entries that fit in one control reply.
    private func logTail(count: Int, of log: RaftLog) -> [Entry] {
        let last = log.lastIndex
        guard count > 0, last >= log.firstIndex else { return [] }
        let first = max(log.firstIndex, last >= LogIndex(count) ? last - LogIndex(count) + 1 : 1)
        var entries = Array(log.slice(first, last))
        // Trim from the front by the estimate, then check the real size.
        var budget = WireCodec.maxDatagramBytes - 1_024
        var keep = 0
        for e in entries.reversed() {
            budget -= e.byteSize
            if budget < 0 { break }
            keep += 1
        }
        entries.removeFirst(entries.count - keep)
        while !entries.isEmpty && WireCodec.encode(.controlReply(.log(entries), id: 0)).count > WireCodec.maxDatagramBytes {
            entries.removeFirst(max(1, entries.count / 8))
        }
        return entries
    }
}

/// Output that waits for the node's storage writes (see `RaftDaemon.hold`).
enum HeldOutput {
    case raft(Message)
    case control(ControlReply, id: UInt64, to: SocketAddress)
}

/// Moves a value that is not `Sendable` into a closure that runs on the node's event loop, where
/// all of the node's state lives.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// The channel handler: hands datagrams to the daemon, and lets it take the `Ready` once per read burst.
final class DaemonHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let daemon: RaftDaemon

    init(daemon: RaftDaemon) { self.daemon = daemon }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        daemon.receive(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        daemon.readComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket survives errors such as ICMP port unreachable; keep going.
        daemon.socketError(error)
    }
}
