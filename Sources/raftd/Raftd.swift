import ArgumentParser
import Dispatch
import Node
import RaftCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `raftd`: one real Raft node of a key-value store, over UDP.
@main
struct Raftd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftd",
        abstract: "Run one node of a raftsh key-value cluster over UDP.",
        discussion: """
            Example: raftd --id 1 --listen 127.0.0.1:7001 \
            --peers 1=127.0.0.1:7001,2=127.0.0.1:7002,3=127.0.0.1:7003 --data /tmp/raft1

            The peer list names every node, this node included; nodes accept Raft traffic only \
            from those addresses (and from addresses the shell adds later with a setPeer control \
            message) and control messages only with the cluster key. The first voters are every \
            node of --peers, or --voters; a node that joins a running cluster starts with --join \
            and is added by the leader (the shell's `add node`). After a membership change the \
            configuration comes from the log and snapshots, not from these flags. \
            SIGTERM or SIGINT stops the node cleanly. Exits 1 with a message if it cannot start \
            (port in use, data directory of another node or cluster, unreadable directory, bad flags).
            """
    )

    @Flag(help: ArgumentHelp("Be a node of Maelstrom's protocol: JSON messages on standard input and output (lin-kv workload); the node's id comes from Maelstrom's init message, so --id, --peers and --listen do not apply.",
                             discussion: "With --data DIR the log is kept in DIR/<node id>; without, in memory."))
    var maelstrom = false

    @Option(help: "This node's id (1 or more).")
    var id: UInt64?

    @Option(help: "Address to listen on, HOST:PORT (default: this node's address in --peers).")
    var listen: String?

    @Option(help: "Every member, this node included: ID=HOST:PORT,ID=HOST:PORT,...")
    var peers: String?

    @Flag(help: "Join a running cluster: start in no configuration (the data directory empty or this node's own), answer only the leader and never campaign until the leader's log makes this node a member (the shell's `add node`). --peers gives the addresses of the nodes (this one included).")
    var join = false

    @Option(help: "The voters the cluster started with, ID,ID,... (default: every node of --peers). Needed when --peers also names nodes added later.")
    var voters: String?

    @Option(help: "Data directory (write-ahead log).")
    var data: String?

    @Option(help: "Election timeout range, e.g. 150ms..300ms.")
    var election: String = "150ms..300ms"

    @Option(help: "Heartbeat interval, e.g. 50ms.")
    var heartbeat: String = "50ms"

    @Option(help: "Length of one Raft tick.")
    var tick: String = "10ms"

    @Option(name: .customLong("cluster-key"), help: "Key control messages must carry.")
    var clusterKey: String = NodeConfig.defaultClusterKey

    @Option(name: .customLong("cluster-id"), help: "Cluster id (default: derived from the sorted peer list).")
    var clusterID: String?

    @Flag(name: .customLong("no-fsync"), help: "Do not sync the log to disk (unsafe; for benchmarks).")
    var noFsync = false

    @Flag(name: .customLong("background-writes"),
          help: "A leader hands its log writes to a writer thread (group commit while it goes on) instead of storing them on its event loop.")
    var backgroundWrites = false

    @Option(name: .customLong("snapshot-every"),
            help: "Take a snapshot and compact the log every N applied entries (0: never, only when asked).")
    var snapshotEvery: UInt64 = NodeConfig.defaultSnapshotEvery

    func validate() throws {
        if maelstrom {
            if id != nil || peers != nil || listen != nil {
                throw ValidationError("--maelstrom takes its node id and peers from Maelstrom's init message: drop --id, --peers and --listen")
            }
        } else {
            if id == nil { throw ValidationError("missing --id (or --maelstrom)") }
            if peers == nil { throw ValidationError("missing --peers") }
            if data == nil { throw ValidationError("missing --data") }
        }
    }

    @Option(name: .customLong("listen-fd"),
            help: "Use this inherited UDP socket, already bound to the listen address, instead of binding one.")
    var listenFD: Int32?

    @Option(name: .customLong("parent-fd"),
            help: "Exit when this inherited pipe reaches end-of-file: the process that started this node died.")
    var parentFD: Int32?

    /// Test only: see `NodeConfig.testCorruptLogAt`. Hidden, and refused without RAFTSH_TEST_HOOKS=1.
    @Option(name: .customLong("test-corrupt-log-at"), help: .hidden)
    var testCorruptLogAt: UInt64?

    /// The environment variable that must be 1 for test-only options.
    static let testHooksVariable = "RAFTSH_TEST_HOOKS"

    func makeConfig() throws(NodeConfigError) -> NodeConfig {
        let peerMap = try NodeConfig.parsePeers(peers ?? "")
        let id = self.id ?? 0
        let data = self.data ?? ""
        let listenAddress = try listen.map { (text: String) throws(NodeConfigError) -> HostPort in try HostPort(parsing: text) }
        let config = NodeConfig(id: id, listen: listenAddress, peers: peerMap, dataDirectory: data,
                                electionTimeout: try NodeConfig.parseDurationRange(election),
                                heartbeat: try NodeConfig.parseDuration(heartbeat),
                                tick: try NodeConfig.parseDuration(tick),
                                clusterKey: clusterKey, clusterID: clusterID, fsync: !noFsync,
                                snapshotEvery: snapshotEvery == 0 ? nil : snapshotEvery)
        var c = config
        c.listenDescriptor = listenFD
        c.backgroundWrites = backgroundWrites
        if join && voters != nil { throw NodeConfigError("--join and --voters exclude each other: a joining node starts in no configuration") }
        if join { c.voters = [] }
        if let voters {
            var ids: [NodeID] = []
            for item in voters.split(separator: ",", omittingEmptySubsequences: false) {
                guard let v = NodeID(String(item.filter { $0 != " " })), v != noNode, !ids.contains(v) else {
                    throw NodeConfigError("bad --voters '\(voters)': distinct node ids from 1, separated by commas")
                }
                ids.append(v)
            }
            c.voters = ids
        }
        if let testCorruptLogAt {
            guard let hooks = getenv(Raftd.testHooksVariable), String(cString: hooks) == "1" else {
                throw NodeConfigError("--test-corrupt-log-at is a test hook: it needs \(Raftd.testHooksVariable)=1 in the environment")
            }
            c.testCorruptLogAt = testCorruptLogAt
        }
        try c.validate()
        return c
    }

    func run() throws {
        if let parentFD {
            ParentWatch.start(fd: parentFD, log: logError)
        }
        if maelstrom {
            var options = MaelstromOptions()
            do {
                options.electionTimeout = try NodeConfig.parseDurationRange(election)
                options.heartbeat = try NodeConfig.parseDuration(heartbeat)
                options.tick = try NodeConfig.parseDuration(tick)
            } catch {
                logError("raftd: \(error.message)")
                throw ExitCode(1)
            }
            options.dataDirectory = data
            options.fsync = !noFsync
            options.snapshotEvery = snapshotEvery == 0 ? nil : snapshotEvery
            throw ExitCode(MaelstromNode(options: options).run())
        }
        let config: NodeConfig
        do {
            config = try makeConfig()
        } catch {
            logError("raftd: \(error.message)")
            throw ExitCode(1)
        }
        let daemon: RaftDaemon
        do {
            daemon = try RaftDaemon.start(config)
        } catch {
            logError("raftd: node \(config.id): \(error.message)")
            throw ExitCode(1)
        }
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                logError("raftd: node \(config.id) stopping (signal \(sig))")
                daemon.stop()
            }
            source.resume()
            sources.append(source)
        }
        daemon.waitUntilStopped()
        daemon.stop()
        withExtendedLifetime(sources) {}
    }
}
