import Foundation
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers
import RaftCore
import KV
import Check
import ClusterModel
import Wire
import Node

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How to start an exec cluster.
public struct ExecClusterOptions: Sendable {
    /// Number of nodes (ids 1...nodes, named n1...nN).
    public var nodes: Int
    /// Seeds the network's loss, duplication and delay draws and the choices of `follower`.
    public var seed: UInt64
    /// The command that starts one node, run by `/bin/sh -c` (e.g. `python3 mynode.py`).
    public var command: String
    /// How long every node has to answer `init`.
    public var startupTimeout: Duration
    /// Leave the run folder (each node's standard error) behind after `shutdown`.
    public var keepRunFolder: Bool

    public init(nodes: Int, seed: UInt64 = 1, command: String, startupTimeout: Duration = .seconds(10),
                keepRunFolder: Bool = false) {
        self.nodes = nodes
        self.seed = seed
        self.command = command
        self.startupTimeout = startupTimeout
        self.keepRunFolder = keepRunFolder
    }
}

/// Nodes of anyone's implementation speaking Maelstrom's protocol (JSON lines on standard input
/// and output), run under raftsh's language (`cluster 5 exec "CMD"`).
///
/// raftsh starts the processes, sends each `init` (`node_id` n1…nN, `node_ids`) and waits for
/// `init_ok`; from then on it is their network: every line a node writes to another node goes
/// through the same `NetworkModel` as in simulation (partitions, isolation, blocks, loss,
/// duplication, delay) before it is written to the destination's standard input. raftsh is also
/// the clients, speaking the `lin-kv` workload with the shared `ClientStateMachine`. Each node's
/// standard error is kept in the run folder (`log N` shows it). Each process gets `RAFTSH_NODE_ID`
/// (`n3`) and `RAFTSH_NODE_DIR` (a folder of its own in the run folder, kept across its restarts)
/// in its environment, so a command can persist state: `raftd --maelstrom --data "$RAFTSH_NODE_DIR"`. `fail` is SIGKILL, `restart`
/// starts the command again and sends `init` again, `pause`/`resume` are SIGSTOP/SIGCONT, each to
/// the node's whole process group (the shell that runs the command and what it started). Time is
/// real. What raftsh cannot know about a foreign node (its role, term, log) it does not claim: the
/// cluster has no `StateInspection` and no `InvariantChecking`, so lines that need them fail as
/// "not available on exec clusters". Malformed output (not JSON, unknown destination, a reply to
/// nothing) is counted per node and shown by `status`.
public final class ExecCluster: Cluster, ProcessControl, NetworkControl, MessageCounting, ProcessLogs {
    public let nodeIDs: [NodeID]
    public let seed: UInt64
    /// The folder of each node's standard error (`nN.stderr`).
    public let runFolder: String

    public var trace: ((String) -> Void)? {
        didSet {
            let t = trace
            onLoop { self.router.trace = t }
        }
    }
    public var interruptCheck: (() -> Bool)?

    private let options: ExecClusterOptions
    private let group: MultiThreadedEventLoopGroup
    let router: ExecRouter
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let historyBox = NIOLockedValueBox(History())
    private var processes: [NodeID: ChildProcess] = [:]
    private var states: [NodeID: NodeState] = [:]
    private var interactive: ExecClient!
    private var currentWorkload: ThreadedWorkload?
    private var workloadCount = 0
    private var choices: SeededRandom
    private var interrupted = false
    private var isShutDown = false
    private var guardian: CleanupGuardian?
    private let loopRunning = NIOLockedValueBox(true)

    /// The interactive client's id.
    public static let interactiveClient: ClientID = 1

    /// Start `options.nodes` processes and wait until each answered `init`. Throws with the nodes'
    /// standard error if one does not come up.
    public init(options: ExecClusterOptions) throws(ClusterError) {
        guard (1...64).contains(options.nodes) else {
            throw ClusterError("an exec cluster has 1 to 64 nodes (got \(options.nodes))")
        }
        guard !options.command.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ClusterError("exec needs a command that starts one node, e.g. exec \"python3 node.py\"")
        }
        ProcessSupervisor.installCleanupHandlers(signals: [SIGTERM, SIGHUP, SIGQUIT])
        var template = Array((NSTemporaryDirectory() + "raftsh-exec-XXXXXX").utf8CString)
        guard let folder = mkdtemp(&template).map({ String(cString: $0) }) else {
            throw ClusterError("cannot create a run folder in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        self.runFolder = folder
        self.options = options
        self.seed = options.seed
        self.nodeIDs = (1...options.nodes).map { NodeID($0) }
        self.choices = SeededRandom(seed: options.seed, stream: "choices")
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let start = clock.now
        self.started = start
        let clock = self.clock
        self.router = ExecRouter(loop: group.next(), nodeIDs: nodeIDs, seed: options.seed,
                                 now: { nanos(clock.now - start) })
        for id in nodeIDs { states[id] = .down }
        guardian = try? CleanupGuardian(folder: options.keepRunFolder ? nil : folder)
        interactive = ExecClient(router: router, clientID: Self.interactiveClient)
        do {
            for id in nodeIDs { try spawn(id) }
            for id in nodeIDs { try awaitInit(id) }
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    // MARK: - Processes

    /// The command line of one node: bash (which runs a simple command in its own process, by
    /// exec) or sh, through `setpriv --pdeathsig KILL` where it exists, so the node dies with the
    /// shell even when it ignores the end of its standard input.
    private var commandLine: (String, [String]) {
        let fm = FileManager.default
        let shell = fm.isExecutableFile(atPath: "/bin/bash") ? "/bin/bash" : "/bin/sh"
        let setpriv = "/usr/bin/setpriv"
        if fm.isExecutableFile(atPath: setpriv) {
            return (setpriv, ["--pdeathsig", "KILL", "--", shell, "-c", options.command])
        }
        return (shell, ["-c", options.command])
    }

    /// Start node `id`'s process (on the event loop's thread, which lives as long as the cluster:
    /// the parent-death signal follows the thread that started the child).
    private func spawn(_ id: NodeID) throws(ClusterError) {
        let result: Result<(ChildProcess, Int32, Int32), ClusterError>
        do {
            result = try router.loop.submit { () -> Result<(ChildProcess, Int32, Int32), ClusterError> in
                guard let i = SystemCalls.closeOnExecPipe() else {
                    return .failure(ClusterError("pipe: \(String(cString: strerror(errno)))"))
                }
                guard let o = SystemCalls.closeOnExecPipe() else {
                    close(i.read); close(i.write)
                    return .failure(ClusterError("pipe: \(String(cString: strerror(errno)))"))
                }
                let input = [i.read, i.write], output = [o.read, o.write]
                let (exe, args) = self.commandLine
                do {
                    let dir = "\(self.runFolder)/n\(id)"
                    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    let p = try ChildProcess.spawn(exe, args, logPath: self.stderrPath(id),
                                                   environment: ["RAFTSH_NODE_ID": "n\(id)", "RAFTSH_NODE_DIR": dir],
                                                   standardInput: input[0], standardOutput: output[1])
                    close(input[0])
                    close(output[1])
                    return .success((p, output[0], input[1]))
                } catch {
                    for fd in input + output { close(fd) }
                    return .failure(ClusterError("node \(id): \(error)"))
                }
            }.wait()
        } catch {
            throw ClusterError("node \(id): the cluster's event loop is gone")
        }
        let (process, readFD, writeFD) = try result.get()
        processes[id] = process
        states[id] = .up
        pendingInit[id] = (try? router.loop.submit {
            self.router.attach(id, readFD: readFD, writeFD: writeFD, timeout: self.options.startupTimeout)
        }.wait())
        emit("node \(id): started pid \(process.pid): \(options.command)")
    }

    private var pendingInit: [NodeID: EventLoopFuture<Void>] = [:]

    /// Wait for node `id`'s init_ok; a node that ends or stays silent fails with its standard error.
    private func awaitInit(_ id: NodeID) throws(ClusterError) {
        guard let future = pendingInit.removeValue(forKey: id) else { throw ClusterError("node \(id) was not started") }
        do {
            try future.wait()
        } catch {
            let tail = processLog(of: id, lines: 20) ?? ""
            let exited = processes[id].map { $0.hasExited ? " (\($0.exitDescription))" : "" } ?? ""
            throw ClusterError("\(error)\(exited)" + (tail.isEmpty ? "" : "; its standard error:\n" + indent(tail)))
        }
    }

    private func stderrPath(_ id: NodeID) -> String { "\(runFolder)/n\(id).stderr" }

    /// End every process, close the pipes, stop the event loop, remove the run folder. Safe twice.
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        currentWorkload?.stop()
        for id in nodeIDs {
            processes.removeValue(forKey: id)?.terminate(group: true)
        }
        onLoop { for id in self.nodeIDs { self.router.detach(id) } }
        loopRunning.withLockedValue { $0 = false }
        try? group.syncShutdownGracefully()
        if !options.keepRunFolder { try? FileManager.default.removeItem(atPath: runFolder) }
        guardian?.dismiss()
    }

    // MARK: - Cluster

    public var kind: ClusterKind { .exec }

    public var summary: String {
        let pids = nodeIDs.compactMap { processes[$0].map { String($0.pid) } }.joined(separator: ",")
        return "\(nodeIDs.count) exec nodes (pids \(pids)): \(options.command); run folder \(runFolder)"
    }

    public var now: Timestamp { nanos(clock.now - started) }
    public var steps: Int { historyBox.withLockedValue { $0.count } }
    public var history: History { historyBox.withLockedValue { $0 } }

    public func status(of id: NodeID) -> NodeStatus {
        noticeExit(id)
        let counters = onLoop { self.router.slots[id]?.counters } ?? nil
        var s = NodeStatus(id, state: states[id] ?? .down, role: nil, term: 0, leader: noNode, commit: 0, applied: 0,
                           lastIndex: 0, group: network.group(of: id))
        s.counters = counters.map {
            NodeCounters(sent: $0.sent, received: $0.received, dropped: $0.dropped,
                         malformed: $0.malformed + $0.unknownDestination + $0.repliesToNothing)
        }
        return s
    }

    /// A node whose process ended by itself is down from now on.
    private func noticeExit(_ id: NodeID) {
        guard states[id] != .down, let p = processes[id], p.hasExited else { return }
        processes[id] = nil
        states[id] = .down
        onLoop { self.router.detach(id) }
        emit("node \(id): pid \(p.pid) \(p.exitDescription)")
    }

    /// The process of node `id` (nil when down).
    public func pid(of id: NodeID) -> pid_t? { processes[id]?.pid }

    /// The counters of node `id` (lines, messages, malformed output).
    public func counters(of id: NodeID) -> ExecNodeCounters? {
        onLoop { self.router.slots[id]?.counters } ?? nil
    }

    public func perform(_ op: KVOperation, via: NodeID?, timeout: Timestamp) -> OperationResult {
        let invoked = now
        let hid = historyBox.withLockedValue { $0.invoke(client: Self.interactiveClient, op: op, at: invoked) }
        let r = interactive.perform(op, timeout: .nanoseconds(Int64(clamping: timeout)), via: via)
        let completed = now
        let outcome = OperationOutcome(r.outcome)
        historyBox.withLockedValue { $0.complete(hid, outcome: outcome, at: completed) }
        return OperationResult(Self.interactiveClient, op: op, outcome: outcome, invoked: invoked, completed: completed,
                               index: r.index, node: r.node, attempts: r.attempts, redirects: r.redirects,
                               failure: r.outcome.failure?.description)
    }

    public func wait(_ duration: Timestamp) {
        let deadline = clock.now + .nanoseconds(Int64(clamping: duration))
        while clock.now < deadline {
            if let check = interruptCheck, check() {
                interrupted = true
                return
            }
            sleepFor(min(deadline - clock.now, .milliseconds(20)))
        }
    }

    public func wait(until condition: () -> Bool, within limit: Timestamp) -> Bool {
        let deadline = clock.now + .nanoseconds(Int64(clamping: limit))
        while true {
            if condition() { return true }
            if clock.now >= deadline { return false }
            if let check = interruptCheck, check() {
                interrupted = true
                return false
            }
            sleepFor(min(deadline - clock.now, .milliseconds(10)))
        }
    }

    public func takeInterrupted() -> Bool {
        defer { interrupted = false }
        return interrupted
    }

    public func choose(_ n: Int) -> Int { Int(choices.next(upperBound: UInt64(n))) }

    public func startWorkload(_ spec: WorkloadSpec) throws(ClusterError) {
        if let w = currentWorkload, w.running { throw ClusterError("a workload is already running; `workload stop` first") }
        try spec.validate()
        let first = ClientID(100 + 100 * workloadCount)
        let router = self.router
        let started = self.started
        let w = try ThreadedWorkload(spec: spec, makeClient: { (id: ClientID) throws(ClusterError) -> any BlockingClient in
            ExecClient(router: router, clientID: id)
        }, firstClient: first, seed: seed, history: historyBox, now: { nanos(ContinuousClock.now - started) })
        workloadCount += 1
        currentWorkload = w
        w.start()
    }

    public func stopWorkload() { currentWorkload?.stop() }
    public var workload: (any WorkloadRun)? { currentWorkload }
    public var duplicateReplies: Int { interactive.duplicateReplies + (currentWorkload?.duplicateReplies ?? 0) }
    public var messagesSent: Int { onLoop { self.router.messagesSent } ?? 0 }

    // MARK: - Process faults

    public func crash(_ id: NodeID) throws(ClusterError) {
        noticeExit(id)
        guard states[id] != .down else { return }
        if let p = processes.removeValue(forKey: id) {
            p.terminate(group: true)
            emit("node \(id): SIGKILL process group \(p.pid)")
        }
        states[id] = .down
        onLoop { self.router.detach(id) }
    }

    public func restart(_ id: NodeID) throws(ClusterError) {
        noticeExit(id)
        guard states[id] == .down else { return }
        do {
            try spawn(id)
            try awaitInit(id)
        } catch {
            if let p = processes.removeValue(forKey: id) { p.terminate(group: true) }
            states[id] = .down
            onLoop { self.router.detach(id) }
            throw ClusterError("restart \(id): \(error.message)")
        }
    }

    public func pause(_ id: NodeID) throws(ClusterError) {
        noticeExit(id)
        guard states[id] == .up, let p = processes[id] else { return }
        p.signalGroup(SIGSTOP)
        states[id] = .paused
        onLoop { self.router.slots[id]?.state = .paused }
        emit("node \(id): SIGSTOP process group \(p.pid)")
    }

    public func resume(_ id: NodeID) throws(ClusterError) {
        guard states[id] == .paused, let p = processes[id] else { return }
        p.signalGroup(SIGCONT)
        states[id] = .up
        onLoop { self.router.slots[id]?.state = .up }
        emit("node \(id): SIGCONT process group \(p.pid)")
    }

    // MARK: - Network

    public var network: NetworkModel { onLoop { self.router.network } ?? NetworkModel(latency: 0...0) }

    public func updateNetwork(_ change: (inout NetworkModel) -> Void) {
        var n = network
        change(&n)
        let updated = n
        onLoop { self.router.network = updated }
        if trace != nil { emit(updated.summary) }
    }

    // MARK: - Logs

    public func processLog(of id: NodeID, lines: Int) -> String? {
        guard let data = FileManager.default.contents(atPath: stderrPath(id)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines + (text.hasSuffix("\n") ? 1 : 0)).joined(separator: "\n")
    }

    // MARK: - Helpers

    @discardableResult
    func onLoop<T>(_ body: @escaping () -> T) -> T? {
        guard loopRunning.withLockedValue({ $0 }) else { return nil }
        return try? router.loop.submit(body).wait()
    }

    private func emit(_ line: String) {
        trace?("[\(TimeFormat.instant(now))] " + line)
    }
}

private func indent(_ s: String) -> String {
    s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
}
