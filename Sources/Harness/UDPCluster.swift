import NIOConcurrencyHelpers
import Foundation
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
#elseif canImport(Darwin)
import Darwin
#endif

/// How to start a cluster of local `raftd` processes.
public struct UDPClusterOptions: Sendable {
    /// Number of nodes (ids 1...nodes).
    public var nodes: Int
    /// Seeds the choices of `follower` (the nodes' own timeouts are not seeded).
    public var seed: UInt64
    /// Election timeout range given to every node (nil: raftd's default, 150–300 ms).
    public var election: ClosedRange<Duration>?
    /// Heartbeat interval (nil: raftd's default, 50 ms).
    public var heartbeat: Duration?
    /// Sync the log before votes and acknowledgements (`--no-fsync` when false).
    public var fsync: Bool
    /// The key control messages carry (nil: a random key per cluster).
    public var clusterKey: String?
    /// The `raftd` binary (nil: `ProcessSupervisor.locateRaftd()`).
    public var raftdPath: String?
    /// How long every node has to answer its first `status`.
    public var startupTimeout: Duration
    /// How long a control request waits for its answer.
    public var controlTimeout: Duration
    /// Leave the run folder (data directories and logs) behind after `shutdown`.
    public var keepRunFolder: Bool
    /// Run each node in a network namespace of its own, behind a bridge, with faults made by the
    /// kernel (`NamespaceNetwork`); needs root, `ip`, `nft` and `tc`.
    public var networkNamespaces: Bool
    /// How often every node is probed for the invariant checker, the trace and the leader history,
    /// and how long a probe waits for its answer.
    public var probeInterval: Duration
    public var probeTimeout: Duration
    /// `raftd --snapshot-every` for every node (nil: raftd's default).
    public var snapshotEvery: UInt64?
    /// `raftd --background-writes` for every node.
    public var backgroundWrites = false
    /// More arguments for some nodes' raftd, and more environment for every raftd (test hooks).
    public var extraArguments: [NodeID: [String]]
    public var environment: [String: String]

    public init(nodes: Int = 5, seed: UInt64 = 1, election: ClosedRange<Duration>? = nil, heartbeat: Duration? = nil,
                fsync: Bool = true, clusterKey: String? = nil, raftdPath: String? = nil,
                startupTimeout: Duration = .seconds(10), controlTimeout: Duration = .milliseconds(300),
                keepRunFolder: Bool = false, networkNamespaces: Bool = false,
                probeInterval: Duration = .milliseconds(5), probeTimeout: Duration = .milliseconds(50),
                extraArguments: [NodeID: [String]] = [:], environment: [String: String] = [:]) {
        self.nodes = nodes
        self.seed = seed
        self.election = election
        self.heartbeat = heartbeat
        self.fsync = fsync
        self.clusterKey = clusterKey
        self.raftdPath = raftdPath
        self.startupTimeout = startupTimeout
        self.controlTimeout = controlTimeout
        self.keepRunFolder = keepRunFolder
        self.networkNamespaces = networkNamespaces
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.extraArguments = extraArguments
        self.environment = environment
    }
}

/// Real `raftd` nodes as a scenario `Cluster`: on loopback, or each in a network namespace of its
/// own (`UDPClusterOptions.networkNamespaces`, see `NamespaceNetwork`).
///
/// Started with `init(options:)`, it owns one child process per node (in a temporary run folder
/// with data directories `node1`…`nodeN` and logs `node1.log`…): `crash` is SIGKILL, `restart`
/// respawns on the same data directory and port, `pause`/`resume` are SIGSTOP/SIGCONT. Attached
/// with `init(attaching:)` (`raftsh --connect`), it owns nothing and process faults are refused.
///
/// Ports, race-free: on loopback the cluster binds every node's socket itself, on a port the
/// kernel picks (`BoundUDPSocket`), before any node starts, and holds it until the cluster ends;
/// each start of a node inherits it (`raftd --listen-fd`). No other process can take a node's port
/// between choosing and binding it, nor while the node is down, and a restarted node always gets
/// its old address back. In namespaces every node has its own address and a fixed port.
///
/// Nothing outlives the shell: every raftd gets the read end of the shell's parent pipe
/// (`raftd --parent-fd`) and exits at its end-of-file (and on Linux on the parent-death signal);
/// a `CleanupGuardian` removes the run folder and the namespaces when the shell dies by a signal
/// or SIGKILL; the signal handlers kill every child; and the next start removes what a killed run
/// left behind.
///
/// Cuts, blocks, loss, duplication and delay live in one `NetworkModel`, the simulator's; the rules
/// derived from it (`LinkRules`) go to each node's transport as control messages (and again when it
/// restarts or resumes), or, in namespaces, into the kernel (nftables, tc netem), where the nodes
/// cannot see them.
///
/// A `UDPProber` asks every running node for its `status` every few milliseconds on its own thread:
/// its `ProbeChecker` checks the simulator's invariants on every answer (`violation`, so `expect
/// invariants` and the check after every line are real), and the answers give the leader history,
/// the message count of `report` and the trace of role and term changes. Time is real: `now`
/// counts nanoseconds since the cluster started. Process faults it cannot do (on an attached
/// cluster, a node that would not restart) throw. Not thread-safe: one caller at a time.
public final class UDPCluster: Cluster, ProcessControl, NetworkControl, StateInspection, InvariantChecking,
    NetworkRecording, Snapshotting, MembershipControl
{
    /// Every node id the cluster has had: the first `options.nodes`, then one more per `add node`
    /// (removed nodes stay, down, marked removed).
    public internal(set) var nodeIDs: [NodeID]
    public let seed: UInt64
    /// Each node's `HOST:PORT`.
    public internal(set) var addresses: [NodeID: String]
    /// The key control messages carry.
    public let clusterKey: String
    /// The temporary folder of data directories and logs (nil when attached).
    public let runFolder: String?
    /// Whether this cluster started (and so may kill) its nodes.
    public let ownsProcesses: Bool
    /// The client id of `perform`'s operations in the history.
    public let clientID: ClientID

    public var trace: ((String) -> Void)? {
        didSet { prober.tracing = trace != nil }
    }
    public var interruptCheck: (() -> Bool)?
    /// Every client operation so far (the shell's and the workload's; workload threads add to it).
    public var history: History { historyBox.withLockedValue { $0 } }
    /// Client operations so far (the shell's and the workload's).
    public var steps: Int { historyBox.withLockedValue { $0.count } }

    let options: UDPClusterOptions
    private let raftdPath: String?
    let ops: UDPClient
    let ctl: UDPClient
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let historyBox = NIOLockedValueBox(History())
    var currentWorkload: ThreadedWorkload?
    private var workloadCount = 0
    private var rng: SeededRandom
    var processes: [NodeID: ChildProcess] = [:]
    /// Every process this cluster started, for the summary and for leak checks.
    public private(set) var allPIDs: [pid_t] = []
    var states: [NodeID: NodeState] = [:]
    var lastReport: [NodeID: NodeReport] = [:]
    private var interrupted = false
    private var isShutDown = false
    /// Each node's socket, held for the cluster's life (loopback clusters this shell started).
    var sockets: [NodeID: BoundUDPSocket] = [:]
    /// The namespaces, bridge and kernel rules of a netns cluster.
    public private(set) var namespaceNetwork: NamespaceNetwork?
    private var guardian: CleanupGuardian?
    let prober: UDPProber

    /// The cuts and faults the scenario asked for ...
    public private(set) var network = NetworkModel(latency: 0...0)
    /// ... and what each node's transport applies now.
    var applied: [NodeID: TransportFaults] = [:]

    // Membership (see UDPCluster+Membership.swift).
    /// Nodes removed from the cluster (and stopped).
    var removed: Set<NodeID> = []
    /// Learners to promote to voter once caught up, and removals whose node is stopped once they commit.
    var pendingPromotions: [NodeID] = []
    var pendingRemovals: [(node: NodeID, index: LogIndex)] = []
    /// Every client made for a workload, so that they learn of added and removed nodes.
    var workloadClients: [WeakUDPClient] = []

    // MARK: - Starting and stopping

    /// Start `options.nodes` local `raftd` processes on free loopback ports and wait until each
    /// answers `status`. Throws with the nodes' log lines if one does not come up.
    public init(options: UDPClusterOptions) throws(ClusterError) {
        guard options.nodes >= 1 && options.nodes <= ClusterLimits.maxNodes else {
            throw ClusterError("a cluster has \(ClusterLimits.nodeRange) (got \(options.nodes))")
        }
        var path = options.raftdPath ?? ""
        if path.isEmpty {
            do { path = try ProcessSupervisor.locateRaftd() } catch { throw ClusterError(error.message) }
        }
        if options.networkNamespaces, let why = NamespaceNetwork.unavailableReason() { throw ClusterError(why) }
        ProcessSupervisor.installCleanupHandlers(signals: [SIGTERM, SIGHUP, SIGQUIT])
        UDPCluster.removeStaleRunFolders()
        var template = Array((NSTemporaryDirectory() + "raftsh-udp-XXXXXX").utf8CString)
        guard let folderPointer = mkdtemp(&template) else {
            throw ClusterError("cannot create a run folder in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: folderPointer)
        // Whose folder this is, so a later run can remove it if this process dies by a signal.
        try? "\(getpid())\n".write(toFile: "\(folder)/\(UDPCluster.ownerFile)", atomically: true, encoding: .utf8)
        let ids = (1...options.nodes).map { NodeID($0) }
        for id in ids {
            try? FileManager.default.createDirectory(atPath: "\(folder)/node\(id)", withIntermediateDirectories: true)
        }
        var made: (net: NamespaceNetwork?, guardian: CleanupGuardian?, sockets: [NodeID: BoundUDPSocket]) = (nil, nil, [:])
        var addrs: [NodeID: String] = [:]
        do throws(ClusterError) {
            if options.networkNamespaces {
                let net = try NamespaceNetwork(nodeIDs: ids)
                made.net = net
                for id in ids { addrs[id] = "\(NamespaceNetwork.address(of: id)):\(NamespaceNetwork.nodePort)" }
            } else {
                let bound: [BoundUDPSocket]
                do { bound = try BoundUDPSocket.several(options.nodes) } catch { throw ClusterError(error.message) }
                for (i, id) in ids.enumerated() {
                    made.sockets[id] = bound[i]
                    addrs[id] = bound[i].address
                }
            }
            do {
                made.guardian = try CleanupGuardian(folder: folder, namespaces: made.net?.namespaces ?? [])
            } catch {
                logError("raftsh: no cleanup guardian (\(error.message)); a killed shell may leave \(folder) behind")
            }
        } catch {
            made.net?.destroy()
            try? FileManager.default.removeItem(atPath: folder)
            made.guardian?.dismiss()
            throw error
        }
        let key = options.clusterKey ?? "raftsh-\(String(UInt64.random(in: 1 ... .max), radix: 16))"
        let cid: ClientID = 1
        let net = made.net
        let clients: (UDPClient, UDPClient, UDPClient)
        do {
            func client(_ id: ClientID) throws -> UDPClient {
                try UDPClient(nodes: addrs, clusterKey: key, clientID: id, boundSocket: try net?.udpSocket())
            }
            clients = (try client(cid), try client(ClientID(UInt64.random(in: 1 << 40 ... 1 << 50))),
                       try client(ClientID(UInt64.random(in: 1 << 40 ... 1 << 50))))
        } catch {
            net?.destroy()
            try? FileManager.default.removeItem(atPath: folder)
            made.guardian?.dismiss()
            throw ClusterError("\(error)")
        }
        self.options = options
        self.raftdPath = path
        self.nodeIDs = ids
        self.seed = options.seed
        self.addresses = addrs
        self.clusterKey = key
        self.runFolder = folder
        self.ownsProcesses = true
        self.clientID = cid
        self.namespaceNetwork = net
        self.guardian = made.guardian
        self.sockets = made.sockets
        (self.ops, self.ctl) = (clients.0, clients.1)
        self.rng = SeededRandom(seed: options.seed, stream: "choices")
        let started = clock.now
        self.started = started
        self.prober = UDPProber(client: clients.2, nodes: ids, seed: options.seed, interval: options.probeInterval,
                                timeout: options.probeTimeout, now: { nanos(ContinuousClock.now - started) })
        for id in ids {
            states[id] = .up
            applied[id] = TransportFaults()
        }
        do {
            for id in ids { try spawn(id) }
            try awaitStartup(ids, within: options.startupTimeout)
        } catch {
            shutdown()
            throw error
        }
        prober.start()
    }

    /// Attach to nodes already running at `addresses` (`raftsh --connect`). Nothing is started or
    /// killed; `fail`, `restart`, `pause` and `resume` are refused. Throws if no node answers.
    public init(attaching addresses: [NodeID: String], clusterKey: String = NodeConfig.defaultClusterKey,
                seed: UInt64 = 1, controlTimeout: Duration = .milliseconds(300)) throws(ClusterError) {
        guard !addresses.isEmpty else { throw ClusterError("--connect needs at least one HOST:PORT") }
        let cid = ClientID(UInt64.random(in: 1 << 40 ... 1 << 50))
        let clients: (UDPClient, UDPClient, UDPClient)
        do {
            clients = (try UDPClient(nodes: addresses, clusterKey: clusterKey, clientID: cid),
                       try UDPClient(nodes: addresses, clusterKey: clusterKey, clientID: cid + 1),
                       try UDPClient(nodes: addresses, clusterKey: clusterKey, clientID: cid + 2))
        } catch {
            throw ClusterError(error.message)
        }
        self.options = UDPClusterOptions(nodes: addresses.count, seed: seed, clusterKey: clusterKey,
                                         controlTimeout: controlTimeout)
        self.raftdPath = nil
        self.nodeIDs = addresses.keys.sorted()
        self.seed = seed
        self.addresses = addresses
        self.clusterKey = clusterKey
        self.runFolder = nil
        self.ownsProcesses = false
        self.clientID = cid
        (self.ops, self.ctl) = (clients.0, clients.1)
        self.rng = SeededRandom(seed: seed, stream: "choices")
        let started = clock.now
        self.started = started
        self.prober = UDPProber(client: clients.2, nodes: addresses.keys.sorted(), seed: seed, interval: .milliseconds(5),
                                timeout: .milliseconds(50), now: { nanos(ContinuousClock.now - started) })
        for id in nodeIDs {
            states[id] = .up
            applied[id] = TransportFaults()
        }
        let answering = nodeIDs.filter { report($0) != nil }
        if answering.isEmpty {
            ops.close()
            ctl.close()
            prober.stop()
            throw ClusterError("no node answers at \(nodeIDs.map { addresses[$0]! }.joined(separator: ", ")) "
                                  + "(is raftd running there, with cluster key '\(clusterKey)'?)")
        }
        prober.start()
    }

    /// Parses `--connect`: `HOST:PORT,HOST:PORT,…` (ids 1, 2, … in order) or `ID=HOST:PORT,…`.
    public static func parseConnectList(_ text: String) throws(ClusterError) -> [NodeID: String] {
        if text.contains("=") {
            do {
                return try NodeConfig.parsePeers(text).mapValues { $0.description }
            } catch {
                throw ClusterError(error.message)
            }
        }
        var out: [NodeID: String] = [:]
        for (i, item) in text.split(separator: ",").enumerated() {
            let s = item.trimmingCharacters(in: .whitespaces)
            do { _ = try HostPort(parsing: s) } catch { throw ClusterError(error.message) }
            out[NodeID(i + 1)] = s
        }
        if out.isEmpty { throw ClusterError("--connect needs at least one HOST:PORT") }
        return out
    }

    deinit { shutdown() }

    private static let ownerFile = "raftsh.pid"

    /// Remove run folders left behind by shells that died of a signal (their children were
    /// killed by the signal handler, which cannot safely delete files): those whose owner is gone.
    public static func removeStaleRunFolders() {
        let fm = FileManager.default
        let tmp = NSTemporaryDirectory()
        guard let names = try? fm.contentsOfDirectory(atPath: tmp) else { return }
        for name in names where name.hasPrefix("raftsh-udp-") {
            let folder = (tmp as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: "\(folder)/\(ownerFile)", encoding: .utf8),
                  let owner = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), owner > 0 else { continue }
            if owner != getpid() && !ProcessSupervisor.isAlive(owner) {
                try? fm.removeItem(atPath: folder)
            }
        }
    }

    /// Kill every node this cluster started (SIGKILL, by pid), reap them, close the clients and
    /// remove the run folder. Safe to call more than once.
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        currentWorkload?.stop()
        prober.stop()
        for id in nodeIDs {
            if let p = processes.removeValue(forKey: id) {
                p.terminate()
            }
        }
        ops.close()
        ctl.close()
        for s in sockets.values { s.close() }
        sockets.removeAll()
        namespaceNetwork?.destroy()
        if let runFolder, !options.keepRunFolder, ownsProcesses {
            try? FileManager.default.removeItem(atPath: runFolder)
        }
        guardian?.dismiss()
        guardian = nil
    }

    /// The pid of node `id`'s process (nil when down or attached).
    public func pid(of id: NodeID) -> pid_t? { processes[id]?.pid }

    /// The log file of node `id` (nil when attached).
    public func logPath(of id: NodeID) -> String? { runFolder.map { "\($0)/node\(id).log" } }

    private func arguments(_ id: NodeID) -> [String] {
        let peers = nodeIDs.map { "\($0)=\(addresses[$0]!)" }.joined(separator: ",")
        // Descriptor 3 is the parent pipe; 4, on loopback, the node's socket (see `spawn`).
        var args = ["--id", "\(id)", "--listen", addresses[id]!, "--peers", peers,
                    "--data", "\(runFolder!)/node\(id)", "--cluster-key", clusterKey, "--parent-fd", "3"]
        // The peer list grows with `add node`: the configuration comes from the log, the cluster id
        // and the first voters must not change with it.
        args += ["--cluster-id", "raftsh-udp-\(clusterKey)"]
        if id > NodeID(options.nodes) {
            args.append("--join")
        } else {
            args += ["--voters", (1...options.nodes).map(String.init).joined(separator: ",")]
        }
        if sockets[id] != nil { args += ["--listen-fd", "4"] }
        if let e = options.election {
            args += ["--election", "\(NodeConfig.format(e.lowerBound))..\(NodeConfig.format(e.upperBound))"]
        }
        if let h = options.heartbeat { args += ["--heartbeat", NodeConfig.format(h)] }
        if !options.fsync { args.append("--no-fsync") }
        if options.backgroundWrites { args.append("--background-writes") }
        if let n = options.snapshotEvery { args += ["--snapshot-every", "\(n)"] }
        return args + (options.extraArguments[id] ?? [])
    }

    func spawn(_ id: NodeID) throws(ClusterError) {
        do {
            var inherit = [try ProcessSupervisor.parentPipe()]
            if let socket = sockets[id] {
                // What was sent to the node while it was down is lost, as in a real crash.
                socket.drain()
                inherit.append(socket.fd)
            }
            let (executable, argv) = namespaceNetwork?.command(for: id, raftdPath!, arguments(id)) ?? (raftdPath!, arguments(id))
            let p = try ChildProcess.spawn(executable, argv, logPath: logPath(of: id), inheriting: inherit,
                                           environment: options.environment)
            processes[id] = p
            allPIDs.append(p.pid)
            states[id] = .up
            applied[id] = TransportFaults()
            emit("node \(id): started raftd pid \(p.pid) on \(addresses[id]!)"
                 + (namespaceNetwork.map { " in namespace \($0.namespace(of: id))" } ?? ""))
        } catch {
            throw ClusterError("node \(id): \(error.message)")
        }
    }

    /// Wait until every node of `ids` answers `status`; a node whose process ends fails it.
    func awaitStartup(_ ids: [NodeID], within limit: Duration) throws(ClusterError) {
        let deadline = clock.now + limit
        var waiting = Set(ids)
        while !waiting.isEmpty {
            for id in waiting.sorted() {
                if let p = processes[id], p.hasExited {
                    throw ClusterError("node \(id) (raftd pid \(p.pid)) \(p.exitDescription) while starting:\n"
                                          + indent(p.logTail()))
                }
                if case .status(let r)? = ctl.control(.status, to: id, timeout: .milliseconds(100)) {
                    lastReport[id] = r
                    waiting.remove(id)
                }
            }
            if !waiting.isEmpty {
                if clock.now >= deadline {
                    let logs = waiting.sorted().map { "node \($0):\n" + indent(processes[$0]?.logTail() ?? "") }
                    throw ClusterError("node(s) \(waiting.sorted().map(String.init).joined(separator: ",")) did not answer "
                                          + "within \(NodeConfig.format(limit)):\n" + logs.joined(separator: "\n"))
                }
                usleep(10_000)
            }
        }
    }

    // MARK: - Cluster: queries

    public var kind: ClusterKind { .udp }

    public var summary: String {
        if ownsProcesses {
            let pids = nodeIDs.compactMap { processes[$0].map { String($0.pid) } }.joined(separator: ",")
            let where_ = namespaceNetwork.map { " in network namespaces \($0.prefix)-*" } ?? ""
            return "\(nodeIDs.count) udp nodes\(where_) (raftd pids \(pids)), run folder \(runFolder ?? "-")"
        }
        return "\(nodeIDs.count) udp nodes attached (" + nodeIDs.map { "\($0)=\(addresses[$0]!)" }.joined(separator: ",") + ")"
    }

    public var now: UInt64 { nanos(clock.now - started) }

    /// Node `id`'s report, asked now (nil when it is down or does not answer). Paused nodes are
    /// not asked: their last report stands.
    public func report(_ id: NodeID) -> NodeReport? {
        switch states[id] ?? .down {
        case .down: return nil
        case .paused: return lastReport[id]
        case .up: break
        }
        guard case .status(let r)? = ctl.control(.status, to: id, timeout: options.controlTimeout) else {
            noticeSilence(id)
            return nil
        }
        lastReport[id] = r
        return r
    }

    /// Reports of every node not down (paused nodes: their last report).
    private func reports() -> [NodeID: NodeReport] {
        var out: [NodeID: NodeReport] = [:]
        for id in nodeIDs { if let r = report(id) { out[id] = r } }
        return out
    }

    /// A node that did not answer: if its process ended, it is down from now on.
    private func noticeSilence(_ id: NodeID) {
        guard ownsProcesses, let p = processes[id], p.hasExited else { return }
        processes[id] = nil
        states[id] = .down
        prober.nodeGone(id)
        emit("node \(id): raftd pid \(p.pid) \(p.exitDescription)")
        logError("raftsh: node \(id) (raftd pid \(p.pid)) \(p.exitDescription); last log lines:\n" + indent(p.logTail(5)))
    }

    public var isConverged: Bool {
        let rs = reports()
        let statuses = nodeIDs.map { id in rs[id].map { status(id, from: $0) } ?? status(of: id) }
        guard let l = Leadership.leader(among: statuses), let lr = rs[l] else { return false }
        for id in nodeIDs where states[id] == .up {
            guard let r = rs[id] else { return false }
            if r.term != lr.term || r.lastIndex != lr.lastIndex || r.commit != r.lastIndex
                || r.applied != r.commit || r.digest != lr.digest {
                return false
            }
        }
        return true
    }

    private func status(_ id: NodeID, from r: NodeReport) -> NodeStatus {
        var s = NodeStatus(id, state: states[id] ?? .down, role: r.role, term: r.term, leader: r.leader,
                           commit: r.commit, applied: r.applied, lastIndex: r.lastIndex, group: network.group(of: id),
                           firstIndex: r.firstIndex, snapshotIndex: r.firstIndex - 1)
        s.membership = r.membership
        s.removed = removed.contains(id)
        return s
    }

    public func status(of id: NodeID) -> NodeStatus {
        let state = states[id] ?? .down
        let g = network.group(of: id)
        if state != .down, let r = report(id) { return status(id, from: r) }
        let last = lastReport[id]
        if ownsProcesses, states[id] == .up, let last {
            // Running but silent for now (busy, or just restarted): its last report, marked up.
            var s = NodeStatus(id, state: .up, role: last.role, term: last.term, leader: last.leader,
                               commit: last.commit, applied: last.applied, lastIndex: last.lastIndex, group: g,
                               firstIndex: last.firstIndex, snapshotIndex: last.firstIndex - 1)
            s.membership = last.membership
            return s
        }
        // Down: what its last report said it had stored (a snapshot outlives the process).
        var down = NodeStatus(id, state: .down, role: nil, term: last?.term ?? 0, leader: noNode,
                              commit: last?.commit ?? 0, applied: 0, lastIndex: last?.lastIndex ?? 0, group: g,
                              firstIndex: last?.firstIndex, snapshotIndex: last.map { $0.firstIndex - 1 })
        down.removed = removed.contains(id)
        return down
    }

    // MARK: - Snapshots

    /// `raftd --snapshot-every` as given to the nodes (nil: raftd's default).
    public var snapshotEvery: LogIndex? { options.snapshotEvery ?? NodeConfig.defaultSnapshotEvery }

    /// Asks node `id` for a snapshot (a `snapshot` control request), answered once it is stored.
    public func takeSnapshot(_ id: NodeID) throws(ClusterError) -> LogIndex {
        guard states[id] == .up else { throw ClusterError("node \(id) is \((states[id] ?? .down).rawValue)") }
        switch ctl.control(.snapshot, to: id, timeout: max(options.controlTimeout, .seconds(2))) {
        case .snapshotTaken(let index)?: return index
        case .error(let why)?: throw ClusterError(why)
        case nil:
            noticeSilence(id)
            throw ClusterError("node \(id) did not answer the snapshot request")
        case let other?: throw ClusterError("node \(id) answered the snapshot request with \(other)")
        }
    }

    /// Summed from the nodes' status reports as the prober last saw them (every incarnation of every
    /// node); raftd does not report chunks and bytes.
    public var snapshotCounts: SnapshotCounts { prober.snapshotCounts }

    public func logEntries(of id: NodeID) -> [Entry]? {
        guard states[id] == .up else { return nil }
        guard case .log(let entries)? = ctl.control(.logTail(count: 200), to: id, timeout: options.controlTimeout) else {
            noticeSilence(id)
            return nil
        }
        return entries
    }

    public func appliedValue(_ key: String, on id: NodeID) -> String?? {
        guard states[id] == .up else { return nil }
        guard case .localValue(let v)? = ctl.control(.localGet(key: key), to: id, timeout: options.controlTimeout) else {
            noticeSilence(id)
            return nil
        }
        return .some(v)
    }

    // MARK: - Cluster: client operations

    public func perform(_ op: KVOperation, via: NodeID?, timeout: UInt64) -> OperationResult {
        let invoked = now
        let hid = historyBox.withLockedValue { $0.invoke(client: clientID, op: op, at: invoked) }
        let r = ops.perform(op, timeout: .nanoseconds(Int64(clamping: timeout)), via: via)
        let completed = now
        flushTrace()
        let outcome = OperationOutcome(r.outcome)
        historyBox.withLockedValue { $0.complete(hid, outcome: outcome, at: completed) }
        return OperationResult(clientID, op: op, outcome: outcome, invoked: invoked, completed: completed,
                               index: r.index, node: r.node, attempts: r.attempts, redirects: r.redirects,
                               failure: r.outcome.failure?.description, reason: r.outcome.failure,
                               seq: r.request.seq)
    }

    // MARK: - Cluster: process faults

    public func crash(_ id: NodeID) throws(ClusterError) {
        try requireOwnership("fail", id)
        guard states[id] != .down else { return }
        if let p = processes.removeValue(forKey: id) {
            p.terminate()
            emit("node \(id): SIGKILL raftd pid \(p.pid)")
        }
        states[id] = .down
        prober.nodeGone(id)
    }

    /// Respawn node `id` on its data directory and port; throws (with its log lines) if it does
    /// not answer within the startup timeout.
    public func restart(_ id: NodeID) throws(ClusterError) {
        try requireOwnership("restart", id)
        if removed.contains(id) { throw ClusterError("node \(id) was removed from the cluster; `add node` adds a new one") }
        guard states[id] == .down else { return }
        do {
            try spawn(id)
            try awaitStartup([id], within: options.startupTimeout)
            _ = report(id)
            syncFaults(id)
            prober.setProbing(id, true)
        } catch {
            if let p = processes.removeValue(forKey: id) { p.terminate() }
            states[id] = .down
            throw ClusterError("restart \(id): \(error.message)")
        }
    }

    public func pause(_ id: NodeID) throws(ClusterError) {
        try requireOwnership("pause", id)
        guard states[id] == .up, let p = processes[id] else { return }
        _ = report(id)
        prober.setProbing(id, false)
        p.signal(SIGSTOP)
        states[id] = .paused
        emit("node \(id): SIGSTOP raftd pid \(p.pid)")
    }

    public func resume(_ id: NodeID) throws(ClusterError) {
        try requireOwnership("resume", id)
        guard states[id] == .paused, let p = processes[id] else { return }
        p.signal(SIGCONT)
        states[id] = .up
        emit("node \(id): SIGCONT raftd pid \(p.pid)")
        syncFaults(id)
        prober.setProbing(id, true)
    }

    /// Process faults need a node this shell started.
    private func requireOwnership(_ command: String, _ id: NodeID) throws(ClusterError) {
        if ownsProcesses { return }
        throw ClusterError("this shell did not start node \(id) (attached with --connect), so it cannot "
                           + "\(command == "fail" ? "kill" : command) it; use `raftsh --udp` or `cluster N udp` for process faults")
    }

    // MARK: - Cluster: network faults

    /// Change the fault model and make it real: in namespaces as kernel rules (the model is put
    /// back, and the error thrown, if the kernel refuses them), otherwise on every node's transport.
    public func updateNetwork(_ change: (inout NetworkModel) -> Void) throws(ClusterError) {
        let before = network
        change(&network)
        if let net = namespaceNetwork {
            do {
                try net.apply(LinkRules(network: network, nodes: nodeIDs))
            } catch {
                network = before
                throw error
            }
            return
        }
        syncAllFaults()
    }

    /// What node `id`'s transport should apply (nothing in namespaces, where the kernel does it).
    private func desiredFaults(_ id: NodeID) -> TransportFaults {
        if namespaceNetwork != nil { return TransportFaults() }
        return LinkRules(network: network, nodes: nodeIDs).transportFaults(of: id)
    }

    private func syncAllFaults() {
        for id in nodeIDs { syncFaults(id) }
    }

    /// Send node `id` what it takes to go from the faults it applies to the ones it should.
    func syncFaults(_ id: NodeID) {
        guard states[id] == .up else { return }
        let want = desiredFaults(id)
        var have = applied[id] ?? TransportFaults()
        if want == have { return }
        func send(_ request: ControlRequest) -> Bool {
            if ctl.control(request, to: id, timeout: options.controlTimeout) == .ok { return true }
            noticeSilence(id)
            return false
        }
        // Blocks and cuts only grow between heals except through `cut`, which replaces; a block to
        // lift needs a heal first.
        if !have.blockedOutgoing.isSubset(of: want.blockedOutgoing) {
            guard send(.heal) else { return }
            have = TransportFaults()
        }
        if want.cut != have.cut {
            guard send(.cut(peers: want.cut.sorted())) else { return }
            have.cut = want.cut
        }
        let newBlocks = want.blockedOutgoing.subtracting(have.blockedOutgoing)
        if !newBlocks.isEmpty {
            guard send(.blockOutgoing(to: newBlocks.sorted())) else { return }
            have.blockedOutgoing = want.blockedOutgoing
        }
        for peer in Set(want.links.keys).union(have.links.keys).sorted() where want.links[peer] != have.links[peer] {
            let f = want.links[peer] ?? Node.LinkFaults()
            guard send(.setFaults(peer: peer, lossPPM: f.lossPPM, duplicatePPM: f.duplicatePPM,
                                  delayMinNanos: f.delayNanos.lowerBound, delayMaxNanos: f.delayNanos.upperBound)) else { return }
            have.links[peer] = f.isNone ? nil : f
        }
        applied[id] = have
    }

    // MARK: - Cluster: time

    /// Let real time pass; stops early when the prober saw an invariant break (the line fails at
    /// once) or `interruptCheck` says so.
    public func wait(_ duration: UInt64) {
        let deadline = clock.now + .nanoseconds(Int64(clamping: duration))
        defer { flushTrace() }
        while clock.now < deadline {
            flushTrace()
            membershipWork()
            if prober.violation != nil { return }
            if let check = interruptCheck, check() {
                interrupted = true
                return
            }
            let left = deadline - clock.now
            sleepFor(min(left, .milliseconds(20)))
        }
    }

    public func wait(until condition: () -> Bool, within limit: UInt64) -> Bool {
        let deadline = clock.now + .nanoseconds(Int64(clamping: limit))
        defer { flushTrace() }
        while true {
            flushTrace()
            membershipWork()
            if condition() { return true }
            if clock.now >= deadline || prober.violation != nil { return false }
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

    // MARK: - Invariants, messages, leaders (from the prober)

    /// The first invariant violation the prober saw, after one more round of probes (so that what
    /// the last line did is checked too).
    public var violation: Violation? { prober.freshViolation() }

    /// Node reports checked so far.
    public var probesChecked: Int { prober.probes }

    /// Raft messages the nodes sent, from their counters (summed over restarts; what a node sent
    /// after its last report before a crash is not counted).
    public var messagesSent: Int { prober.messagesSent }

    /// Each node's terms as leader, as the probes saw them.
    public var leaderHistory: [LeaderSpan] { prober.leaderHistory }

    // MARK: - Cluster: the rest

    public func choose(_ n: Int) -> Int { Int(rng.next(upperBound: UInt64(n))) }

    /// Start `spec` on real clients: one thread and one `UDPClient` per client (see `ThreadedWorkload`).
    public func startWorkload(_ spec: WorkloadSpec) throws(ClusterError) {
        if let w = currentWorkload, w.running { throw ClusterError("a workload is already running; `workload stop` first") }
        try spec.validate()
        // Fresh client ids for each workload, apart from the shell's own; on attached nodes a random
        // base, so two shells attached to the same cluster do not share sessions.
        let first: ClientID = ownsProcesses ? ClientID(100 + 100 * workloadCount)
                                            : ClientID(UInt64.random(in: 1 << 40 ... 1 << 50))
        let started = self.started
        let w = try ThreadedWorkload(spec: spec, makeClient: { (id: ClientID) throws(ClusterError) -> any BlockingClient in
            do {
                let c = try self.makeClient(id)
                self.workloadClients.append(WeakUDPClient(c))
                return c
            } catch {
                throw ClusterError("workload: \(error)")
            }
        }, firstClient: first, seed: seed, history: historyBox, now: { nanos(ContinuousClock.now - started) })
        workloadCount += 1
        currentWorkload = w
        w.start()
    }

    public func stopWorkload() { currentWorkload?.stop() }
    public var workload: (any WorkloadRun)? { currentWorkload }
    /// Duplicate replies seen by the shell's client and the workload's clients.
    public var duplicateReplies: Int { ops.duplicateReplies + (currentWorkload?.duplicateReplies ?? 0) }

    /// A client of this cluster's nodes (in namespaces, with its socket in the bridge namespace).
    public func makeClient(_ id: ClientID, attemptTimeout: Duration = .milliseconds(200)) throws(UDPClientError) -> UDPClient {
        var socket: Int32?
        if let net = namespaceNetwork {
            do { socket = try net.udpSocket() } catch { throw UDPClientError(error.message) }
        }
        let c = try UDPClient(nodes: addresses, clusterKey: clusterKey, clientID: id, attemptTimeout: attemptTimeout,
                              boundSocket: socket)
        if !removed.isEmpty { try c.setNodes(clientMembers, addresses: [:]) }
        return c
    }

    // MARK: - Helpers

    func emit(_ line: String) {
        prober.note(line)
        flushTrace()
    }

    /// Hand the prober's trace lines to `trace`, on the caller's thread.
    private func flushTrace() {
        guard let trace else { return }
        for line in prober.takeTraceLines() { trace(line) }
    }
}

func nanos(_ d: Duration) -> UInt64 {
    let c = d.components
    return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds / 1_000_000_000))
}

/// Sleep for `d`, resuming after signals.
func sleepFor(_ d: Duration) {
    let ns = nanos(d)
    guard ns > 0 else { return }
    var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
    var rest = timespec()
    while nanosleep(&ts, &rest) == -1 && errno == EINTR { ts = rest }
}

private func indent(_ s: String) -> String {
    s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
}
