import NIOCore
import NIOPosix
import RaftCore
import KV
import Check
import ClusterModel
import Wire
import Node

/// What an exec cluster counts per node.
public struct ExecNodeCounters: Sendable, Hashable {
    /// Lines the node wrote to its standard output.
    public var linesOut = 0
    /// Messages to other nodes it sent, and the ones delivered to it.
    public var sent = 0
    public var received = 0
    /// Its messages lost to cuts, loss, a crashed receiver.
    public var dropped = 0
    /// Lines that were not a Maelstrom message (not JSON, no src/dest/body/type, a src not its own).
    public var malformed = 0
    /// Messages to it that were held on a link (`hold`) on their arrival.
    public var held = 0
    /// Messages to a destination that is neither a member nor a client.
    public var unknownDestination = 0
    /// Replies to a client request that was never made (or already answered).
    public var repliesToNothing = 0
}

/// The state of an exec cluster that lives on its event loop: the node processes' pipes, the
/// network between them (every message goes through the `NetworkModel`), and the clients' state
/// machines. Everything here runs on `loop`.
final class ExecRouter {
    struct Slot {
        var channel: (any Channel)?
        var state: NodeState = .down
        /// Bumped at each start, so lines of a dead process are ignored.
        var incarnation = 0
        var counters = ExecNodeCounters()
        /// The init message waiting for its init_ok.
        var initID: Int64?
        var initPromise: EventLoopPromise<Void>?
    }

    /// A message between nodes held on its link.
    struct HeldLine {
        var message: MaelstromMessage
        var from: NodeID
        var to: NodeID
    }

    /// A request a client sent, waiting for its reply.
    struct Pending {
        var client: ClientID
        var request: ClientRequest
        var node: NodeID
    }

    let loop: any EventLoop
    let nodeIDs: [NodeID]
    var network = NetworkModel(latency: 0...0)
    /// Messages held on links (`hold`): the same mechanism as the simulator's.
    var holds = MessageHolds<HeldLine>()
    var slots: [NodeID: Slot] = [:]
    var messagesSent = 0
    var trace: ((String) -> Void)?
    private var rng: SeededRandom
    private var runners: [ClientID: ClientRunner] = [:]
    private var duplicates: [ClientID: Int] = [:]
    private var pending: [Int64: Pending] = [:]
    private var nextMsgID: Int64 = 0
    private let now: () -> Timestamp

    init(loop: any EventLoop, nodeIDs: [NodeID], seed: UInt64, now: @escaping () -> Timestamp) {
        self.loop = loop
        self.nodeIDs = nodeIDs
        self.rng = SeededRandom(seed: seed, stream: "network")
        self.now = now
        for id in nodeIDs { slots[id] = Slot() }
    }

    // MARK: - Nodes

    /// Take over a started node's pipes (its standard output `readFD`, standard input `writeFD`);
    /// the returned future completes when the node answered `init` with `init_ok`.
    func attach(_ id: NodeID, readFD: Int32, writeFD: Int32, timeout: Duration) -> EventLoopFuture<Void> {
        loop.preconditionInEventLoop()
        var slot = slots[id]!
        slot.incarnation += 1
        slot.state = .up
        let incarnation = slot.incarnation
        let promise = loop.makePromise(of: Void.self)
        slot.initPromise = promise
        slots[id] = slot
        NIOPipeBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(NodeLineHandler(router: self, node: id, incarnation: incarnation))
                }
            }
            .takingOwnershipOfDescriptors(input: readFD, output: writeFD)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard self.slots[id]?.incarnation == incarnation else {
                        channel.close(promise: nil)
                        return
                    }
                    self.slots[id]?.channel = channel
                    self.sendInit(to: id)
                case .failure(let error):
                    promise.fail(ClusterError("node \(id): cannot use its pipes: \(error)"))
                }
            }
        loop.scheduleTask(in: timeout.timeAmount) {
            guard let slot = self.slots[id], slot.incarnation == incarnation, let p = slot.initPromise else { return }
            self.slots[id]?.initPromise = nil
            p.fail(ClusterError("node \(id) did not answer init with init_ok within \(NodeConfig.format(timeout))"))
        }
        return promise.futureResult
    }

    private func sendInit(to id: NodeID) {
        nextMsgID += 1
        slots[id]?.initID = nextMsgID
        let body: [String: JSONValue] = ["type": .string("init"), "msg_id": .int(nextMsgID), "node_id": .string("n\(id)"),
                                         "node_ids": .array(nodeIDs.map { .string("n\($0)") })]
        write(MaelstromMessage(src: "c0", dest: "n\(id)", body: body), to: id)
    }

    /// The node's process is gone (crashed or killed): drop its pipes.
    func detach(_ id: NodeID) {
        slots[id]?.state = .down
        slots[id]?.incarnation += 1
        slots[id]?.channel?.close(promise: nil)
        slots[id]?.channel = nil
        if let p = slots[id]?.initPromise {
            slots[id]?.initPromise = nil
            p.fail(ClusterError("node \(id) ended while starting"))
        }
    }

    /// One line the node wrote to its standard output.
    func line(_ text: String, from id: NodeID, incarnation: Int) {
        guard var slot = slots[id], slot.incarnation == incarnation else { return }
        slot.counters.linesOut += 1
        let m: MaelstromMessage
        do {
            m = try MaelstromMessage.parse(text)
        } catch {
            slot.counters.malformed += 1
            slots[id] = slot
            emit("node \(id) wrote a malformed line (\(error.message)): \(text.prefix(120))")
            return
        }
        guard m.src == "n\(id)" else {
            slot.counters.malformed += 1
            slots[id] = slot
            emit("node \(id) sent a message as \(m.src): dropped")
            return
        }
        slots[id] = slot
        if m.dest == "c0", let initID = slot.initID, m.inReplyTo == initID {
            if m.type == "init_ok", let p = slot.initPromise {
                slots[id]?.initPromise = nil
                p.succeed(())
            }
            return
        }
        if let to = MaelstromMessage.number(of: m.dest, prefix: "n"), slots[to] != nil {
            route(m, from: id, to: to)
        } else if let client = MaelstromMessage.number(of: m.dest, prefix: "c") {
            clientReply(m, from: id, client: client)
        } else {
            slots[id]?.counters.unknownDestination += 1
            emit("node \(id) sent a message to unknown \(m.dest): dropped")
        }
    }

    /// A message between servers, through the network model.
    private func route(_ m: MaelstromMessage, from: NodeID, to: NodeID) {
        messagesSent += 1
        slots[from]?.counters.sent += 1
        guard network.connected(from, to) else {
            slots[from]?.counters.dropped += 1
            if trace != nil { emit("dropped (cut) n\(from) -> n\(to): \(m.type)") }
            return
        }
        let delays = network.deliveries(on: ClusterModel.Link(from, to), rng: &rng)
        if delays.isEmpty {
            slots[from]?.counters.dropped += 1
            if trace != nil { emit("dropped (loss) n\(from) -> n\(to): \(m.type)") }
        }
        for d in delays { deliver(m, to: to, after: d, from: from) }
    }

    private func deliver(_ m: MaelstromMessage, to: NodeID, after delay: Timestamp, from: NodeID?) {
        let go = { self.arrive(m, to: to, from: from) }
        if delay == 0 { go() } else { loop.scheduleTask(in: .nanoseconds(Int64(clamping: delay))) { go() } }
    }

    /// `m` reaches `to`'s end of the link: lost if `to` is down, held if the link holds its kind,
    /// else written to `to`'s standard input.
    private func arrive(_ m: MaelstromMessage, to: NodeID, from: NodeID?) {
        guard slots[to]?.state != .down, slots[to]?.channel != nil else {
            if let from { slots[from]?.counters.dropped += 1 }
            return
        }
        if let from {
            if !holds.isEmpty, holds.take(HeldLine(message: m, from: from, to: to), on: ClusterModel.Link(from, to), kind: m.type) {
                slots[to]?.counters.held += 1
                if trace != nil { emit("held n\(from) -> n\(to): \(m.type)") }
                return
            }
            slots[to]?.counters.received += 1
        }
        write(m, to: to)
    }

    // MARK: - Holds

    /// Stop holding on `links` and deliver what they held, link by link, oldest first; a message
    /// whose link is cut by now, or whose receiver is down, is lost as usual.
    func release(_ links: [ClusterModel.Link]) -> [HeldLine] {
        var delivered: [HeldLine] = []
        for link in links {
            for h in holds.end(link) {
                delivered.append(h)
                guard network.connected(h.from, h.to) else {
                    slots[h.from]?.counters.dropped += 1
                    if trace != nil { emit("dropped (cut) n\(h.from) -> n\(h.to): \(h.message.type)") }
                    continue
                }
                arrive(h.message, to: h.to, from: h.from)
            }
        }
        return delivered
    }

    /// Stop holding on `links` and discard what they held (counted as dropped by the sender).
    func dropHeld(_ links: [ClusterModel.Link]) -> [HeldLine] {
        let gone = holds.end(links)
        for h in gone { slots[h.from]?.counters.dropped += 1 }
        return gone
    }

    private func write(_ m: MaelstromMessage, to id: NodeID) {
        guard let channel = slots[id]?.channel else { return }
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeString(m.line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        channel.writeAndFlush(buffer, promise: nil)
    }

    // MARK: - Clients

    /// The runner of client `id`, made on first use.
    func runner(_ id: ClientID, policy: ClientStateMachine.Policy) -> ClientRunner {
        if let r = runners[id] { return r }
        let machine = ClientStateMachine(client: id, members: nodeIDs, policy: policy)
        let r = ClientRunner(machine: machine, loop: loop) { [unowned self] request, to in
            self.clientRequest(request, from: id, to: to)
        }
        runners[id] = r
        return r
    }

    /// Replies client `id` got for operations already finished.
    func duplicateReplies(of id: ClientID) -> Int { duplicates[id] ?? 0 }

    private func clientRequest(_ request: ClientRequest, from client: ClientID, to node: NodeID) {
        nextMsgID += 1
        let msgID = nextMsgID
        pending[msgID] = Pending(client: client, request: request, node: node)
        var body = MaelstromKV.body(request.op)
        body["msg_id"] = .int(msgID)
        body["raftsh_client"] = .int(Int64(clamping: client))
        body["raftsh_seq"] = .int(Int64(clamping: request.seq))
        let m = MaelstromMessage(src: "c\(client)", dest: "n\(node)", body: body)
        if trace != nil { emit("client \(client) -> node \(node): \(request.op) #\(request.seq)") }
        // Clients reach every node that is up; loss, duplication and delay on every link apply.
        for d in network.deliveries(on: nil, rng: &rng) { deliver(m, to: node, after: d, from: nil) }
    }

    private func clientReply(_ m: MaelstromMessage, from node: NodeID, client: ClientID) {
        guard let id = m.inReplyTo, let p = pending[id], p.client == client, p.node == node else {
            slots[node]?.counters.repliesToNothing += 1
            return
        }
        let outcome = MaelstromKV.outcome(m.body, of: p.request.op)
        if trace != nil { emit("node \(node) -> client \(client): \(outcome) #\(p.request.seq)") }
        let reply = ClientReply(client: client, seq: p.request.seq, outcome: outcome)
        // Replies pass the network too (global faults only, as in the simulator).
        for d in network.deliveries(on: nil, rng: &rng) {
            let go = {
                guard let r = self.runners[client] else { return }
                if !r.receive(reply, from: node) { self.duplicates[client, default: 0] += 1 }
            }
            if d == 0 { go() } else { loop.scheduleTask(in: .nanoseconds(Int64(clamping: d))) { go() } }
        }
    }

    // MARK: - Trace

    func emit(_ line: String) {
        trace?("[\(TimeFormat.instant(now()))] " + line)
    }
}

/// Hands a node's output lines to the router.
private final class NodeLineHandler: ChannelInboundHandler {
    typealias InboundIn = String

    private let router: ExecRouter
    private let node: NodeID
    private let incarnation: Int

    init(router: ExecRouter, node: NodeID, incarnation: Int) {
        self.router = router
        self.node = node
        self.incarnation = incarnation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        router.line(unwrapInboundIn(data), from: node, incarnation: incarnation)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
