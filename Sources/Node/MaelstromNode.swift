import RaftCore
import KV
import Wire
import Storage
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How `raftd --maelstrom` runs.
public struct MaelstromOptions: Sendable {
    /// Election timeouts are drawn from this range.
    public var electionTimeout: ClosedRange<Duration> = .milliseconds(150) ... .milliseconds(300)
    /// A leader sends heartbeats this often.
    public var heartbeat: Duration = .milliseconds(50)
    /// Length of one core tick.
    public var tick: Duration = .milliseconds(10)
    /// Keep the log in `DIRECTORY/<node id>` (a write-ahead log, so a restarted process resumes);
    /// nil keeps it in memory (a restarted process starts empty, as Maelstrom's own nodes do).
    public var dataDirectory: String?
    /// Sync the log (with a data directory).
    public var fsync = true
    /// Take a snapshot (and compact the log) every this many applied entries; nil: never.
    public var snapshotEvery: LogIndex? = NodeConfig.defaultSnapshotEvery

    public init() {}
}

/// raftsh's Raft core and key-value store as a node of Maelstrom's protocol: JSON messages, one per
/// line, on standard input and output (`raftd --maelstrom`). It answers `init`, serves the
/// `lin-kv` workload (`read`, `write`, `cas`; also `append` and `delete`), and talks to the other
/// nodes through the same channel, Raft messages carried base64-encoded in bodies of type `raft`.
/// Timers run in real time. Client requests may carry `raftsh_client` and `raftsh_seq` (raftsh's
/// exec clusters send them) so that a retried request applies once; otherwise the client's name
/// and the message id number the request.
///
/// Single-threaded: `run()` reads standard input with `poll` and ticks the core between lines.
public final class MaelstromNode {
    private let options: MaelstromOptions
    private let write: (String) -> Void
    private let log: (String) -> Void
    private var nodeName = ""
    private var id: NodeID = noNode
    private var server: KVServer?
    private var memory = PersistentState()
    private var storage: NodeStorage?
    private var nextMsgID: Int64 = 0
    /// Requests waiting for their answer, by (client, seq).
    private var waiting: [RequestKey: [MaelstromMessage]] = [:]
    private var operations: [RequestKey: KVOperation] = [:]
    /// Where each client's session starts (see `ClientRequest.session`); a client without one sends
    /// `noSession` and is given a start by the leader, like `ClientStateMachine` does.
    private var sessions: [ClientID: LogIndex] = [:]
    /// Counters for the log.
    private var malformed = 0

    private struct RequestKey: Hashable {
        var client: ClientID
        var seq: UInt64
    }

    /// A node writing its lines through `write` (standard output by default) and its log through
    /// `log` (standard error by default).
    public init(options: MaelstromOptions, write: @escaping (String) -> Void = MaelstromNode.writeLine,
                log: @escaping (String) -> Void = logError) {
        self.options = options
        self.write = write
        self.log = log
    }

    /// Write one line to standard output (one unbuffered write).
    public static func writeLine(_ line: String) {
        writeAll(line + "\n", to: 1)
    }

    /// Serve until standard input closes. Returns the exit status.
    public func run() -> Int32 {
        let clock = ContinuousClock()
        var nextTick = clock.now + options.tick
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let wait = nextTick - clock.now
            let ms = max(0, Int32(NodeConfig.nanoseconds(wait) / 1_000_000))
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, ms)
            if ready < 0 && errno != EINTR { return 1 }
            if ready > 0 {
                let n = read(0, &chunk, chunk.count)
                if n <= 0 { return 0 }  // standard input closed: the harness is gone
                buffer.append(contentsOf: chunk[0..<n])
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    if !line.allSatisfy(\.isWhitespace) { handle(line) }
                }
                drain()
            }
            if clock.now >= nextTick {
                nextTick = clock.now + options.tick
                tick()
            }
        }
    }

    /// Advance the core by one tick (`run` does it every `options.tick`; exposed for tests).
    public func tick() {
        server?.raft.tick()
        drain()
    }

    /// Lines dropped as malformed so far.
    public var malformedLines: Int { malformed }

    /// Handle one line of input (exposed for tests).
    public func handle(_ line: String) {
        let m: MaelstromMessage
        do {
            m = try MaelstromMessage.parse(line)
        } catch {
            malformed += 1
            log("raftd --maelstrom: dropped a malformed line (\(error.message)): \(line.prefix(200))")
            return
        }
        if m.type == "init" {
            initialize(m)
        } else if m.src.hasPrefix("n") {
            raft(m)  // from another node: a Raft message, whose type is its kind word
        } else {
            request(m)
        }
        drain()
    }

    private func initialize(_ m: MaelstromMessage) {
        guard let name = m.body["node_id"]?.stringValue, let n = MaelstromMessage.number(of: name, prefix: "n"),
              case .array(let names)? = m.body["node_ids"] else {
            reply(m, MaelstromKV.error(.malformedRequest, "init needs node_id n1..nN and node_ids"))
            return
        }
        let ids = names.compactMap { $0.stringValue.flatMap { MaelstromMessage.number(of: $0, prefix: "n") } }
        guard ids.count == names.count, ids.contains(n) else {
            reply(m, MaelstromKV.error(.malformedRequest, "node ids must be n1..nN and include \(name)"))
            return
        }
        if server == nil {
            do {
                try start(id: n, name: name, voters: ids.sorted())
            } catch {
                log("raftd --maelstrom: \(error)")
                reply(m, MaelstromKV.error(.crash, "cannot start: \(error)"))
                return
            }
        }
        reply(m, ["type": .string("init_ok")])
    }

    private func start(id n: NodeID, name: String, voters: [NodeID]) throws {
        id = n
        nodeName = name
        let tick = NodeConfig.nanoseconds(options.tick)
        func ticks(_ d: Duration) -> Int { max(1, Int((NodeConfig.nanoseconds(d) + tick / 2) / tick)) }
        let config = RaftConfig(id: n, voters: voters, electionTicksMin: ticks(options.electionTimeout.lowerBound),
                                electionTicksMax: ticks(options.electionTimeout.upperBound),
                                heartbeatTicks: ticks(options.heartbeat))
        let raft: RaftNode
        if let dir = options.dataDirectory {
            let s = try NodeStorage.open(directory: "\(dir)/\(name)", nodeID: n,
                                         clusterID: "maelstrom:" + voters.map { "n\($0)" }.joined(separator: ","),
                                         options: StorageOptions(fsync: options.fsync))
            storage = s
            raft = try RaftNode(config: config, storage: s, random: SystemRandomNumberGenerator())
        } else {
            raft = try RaftNode(config: config, storage: memory, random: SystemRandomNumberGenerator())
        }
        server = try KVServer(raft: raft, snapshotEvery: options.snapshotEvery)
        log("raftd --maelstrom: \(name) of \(voters.map { "n\($0)" }.joined(separator: ",")) started"
            + (options.dataDirectory.map { ", data \($0)/\(name)" } ?? ", log in memory"))
    }

    private func raft(_ m: MaelstromMessage) {
        guard let server, let text = m.body["m"]?.stringValue, let data = Data(base64Encoded: text),
              case .raft(let message)? = try? WireCodec.decode(Array(data)),
              message.kind.word == m.type, MaelstromMessage.number(of: m.src, prefix: "n") == message.from,
              message.to == id else {
            malformed += 1
            return
        }
        server.raft.step(message)
    }

    private func request(_ m: MaelstromMessage) {
        guard let server else {
            reply(m, MaelstromKV.error(.temporarilyUnavailable, "not initialized yet"))
            return
        }
        guard let op = MaelstromKV.operation(m.body) else {
            reply(m, MaelstromKV.error(.notSupported, "unknown request type \(m.type)"))
            return
        }
        let client = m.body["raftsh_client"]?.intValue.map { ClientID($0) }
            ?? MaelstromMessage.number(of: m.src, prefix: "c") ?? ClientID(truncatingIfNeeded: m.src.hashValue)
        guard let seq = m.body["raftsh_seq"]?.intValue.map({ UInt64($0) }) ?? m.msgID.map({ UInt64($0) }) else {
            reply(m, MaelstromKV.error(.malformedRequest, "a request needs a msg_id"))
            return
        }
        let key = RequestKey(client: client, seq: seq)
        waiting[key, default: []].append(m)
        operations[key] = op
        submit(ClientRequest(client: client, seq: seq, session: sessions[client] ?? ClientRequest.noSession, op: op))
    }

    private func submit(_ request: ClientRequest) {
        guard let server else { return }
        for r in server.receive(request) { answer(r) }
    }

    private func answer(_ r: ClientReply) {
        let key = RequestKey(client: r.client, seq: r.seq)
        if case .sessionExpired(let refused) = r.outcome, let op = operations[key] {
            if refused == ClientRequest.noSession && r.index != ClientRequest.noSession {
                // Nothing was proposed: open the session where the leader said, and submit again.
                sessions[r.client] = r.index
                submit(ClientRequest(client: r.client, seq: r.seq, session: r.index, op: op))
                return
            }
            sessions[r.client] = nil  // the next write opens a new session
        }
        guard let requests = waiting.removeValue(forKey: key), let op = operations.removeValue(forKey: key) else { return }
        for m in requests { reply(m, MaelstromKV.replyBody(r.outcome, of: op)) }
    }

    private func reply(_ request: MaelstromMessage, _ body: [String: JSONValue]) {
        nextMsgID += 1
        write(MaelstromMessage.reply(to: request, from: nodeName.isEmpty ? request.dest : nodeName, body: body,
                                     msgID: nextMsgID).line)
    }

    private func drain() {
        guard let server else { return }
        do {
            try server.drain(persist: { rd in
                if let storage {
                    try storage.save(rd)
                } else {
                    if let s = rd.snapshot { memory.saveSnapshot(s, replacingLog: rd.installsSnapshot) }
                    if let first = rd.entries.first { memory.removeEntries(from: first.index); memory.append(rd.entries) }
                    if let hs = rd.hardState { memory.hardState = hs }
                }
            }, send: { m in
                // The type is the kind's word, so that `hold append 1 -> 2` works on an exec cluster.
                let body: [String: JSONValue] = ["type": .string(m.kind.word),
                                                 "m": .string(Data(WireCodec.encode(.raft(m))).base64EncodedString())]
                write(MaelstromMessage(src: nodeName, dest: "n\(m.to)", body: body).line)
            }, reply: { r in answer(r) })
        } catch {
            log("raftd --maelstrom: \(nodeName): FATAL: storage error: \(error); exiting")
            exit(1)
        }
    }
}
