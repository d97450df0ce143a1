import ArgumentParser
import Foundation
import RaftCore
import KV
import Sim
import ClusterModel
import Storage
import Node
import Harness
import Check

/// `raftsh bench soak`: a long put load on 3 raftd nodes; resident memory and data-directory size
/// of every node each N puts. With snapshots both should stay flat instead of growing with the log.
struct SoakBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Puts on 3 raftd nodes; each node's resident memory and data-directory size every N puts."
    )

    @Option(help: "Puts in all.")
    var puts: Int = 1_000_000

    @Option(name: .customLong("report-every"), help: "Sample memory and disk every this many puts.")
    var reportEvery: Int = 100_000

    @Option(help: "Concurrent clients.")
    var clients: Int = 16

    @Option(help: "Distinct keys written.")
    var keys: Int = 10_000

    @Option(name: .customLong("value-size"), help: "Bytes per value.")
    var valueSize: Int = 100

    @Option(name: .customLong("snapshot-every"), help: "raftd --snapshot-every (0: never compact).")
    var snapshotEvery: UInt64 = NodeConfig.defaultSnapshotEvery

    @Flag(name: .customLong("no-fsync"), help: "Nodes do not sync their logs (not crash-safe).")
    var noFsync = false

    func validate() throws {
        if puts < 1 || reportEvery < 1 || clients < 1 || keys < 1 || valueSize < 1 {
            throw ValidationError("--puts, --report-every, --clients, --keys and --value-size must be at least 1")
        }
    }

    func run() throws {
        ProcessSupervisor.installCleanupHandlers()
        var o = UDPClusterOptions(nodes: 3, seed: 1, fsync: !noFsync)
        o.snapshotEvery = snapshotEvery
        let cluster = try UDPCluster(options: o)
        defer { cluster.shutdown() }
        guard cluster.wait(until: { cluster.leader != nil }, within: 10_000_000_000) else {
            throw ValidationError("no leader within 10s")
        }
        let folder = cluster.runFolder ?? ""
        print("raftsh bench soak — 3 raftd nodes, \(puts) puts of \(valueSize) bytes over \(keys) keys, \(clients) clients, "
              + "snapshot-every \(snapshotEvery == 0 ? "never" : String(snapshotEvery)), fsync \(noFsync ? "off" : "on")")
        var rows = [["puts", "wall", "puts/s", "RSS node 1", "node 2", "node 3", "data node 1", "node 2", "node 3"]]
        func sample(_ done: Int, _ wall: Duration, _ since: (Int, Duration)) {
            let rate = Double(done - since.0) / max(1e-9, Double(ns(wall - since.1)) / 1e9)
            var row = ["\(done)", String(format: "%.0fs", Double(ns(wall)) / 1e9), String(format: "%.0f", rate)]
            row += cluster.nodeIDs.map { id in cluster.pid(of: id).flatMap(residentBytes).map(megabytes) ?? "-" }
            row += cluster.nodeIDs.map { id in megabytes(directoryBytes("\(folder)/node\(id)")) }
            rows.append(row)
            FileHandle.standardError.write((row.joined(separator: "  ") + "\n").data(using: .utf8)!)
        }
        let counter = PutCounter()
        var made: [UDPClient] = []
        for i in 0..<clients {
            made.append(try UDPClient(nodes: cluster.addresses, clusterKey: cluster.clusterKey, clientID: 10_000 + ClientID(i)))
        }
        defer { for m in made { m.close() } }
        let start = ContinuousClock.now
        sample(0, .zero, (0, .zero))
        let group = DispatchGroup()
        for (i, client) in made.enumerated() {
            group.enter()
            let keys = self.keys, size = valueSize, total = puts
            let thread = Thread {
                while let n = counter.take(below: total) {
                    let value = PutLoad.value(n, size)
                    if case .ok = client.perform(.put(key: "k\((n &* 7919 &+ i) % keys)", value: value), timeout: .seconds(10)).outcome {
                        counter.acknowledged()
                    } else {
                        counter.failed()
                    }
                }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        var next = reportEvery
        var last = (0, Duration.zero)
        while group.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            let done = counter.done
            if done >= next {
                let wall = ContinuousClock.now - start
                sample(done, wall, last)
                last = (done, wall)
                next += reportEvery
            }
        }
        let wall = ContinuousClock.now - start
        if counter.done > last.0 { sample(counter.done, wall, last) }
        print(table(rows))
        print("failed puts: \(counter.failures)")
    }
}

/// Hands out put numbers to client threads and counts the answers.
private final class PutCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var acked = 0
    private var failedCount = 0
    func take(below total: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < total else { return nil }
        next += 1
        return next - 1
    }
    func acknowledged() { lock.lock(); acked += 1; lock.unlock() }
    func failed() { lock.lock(); failedCount += 1; lock.unlock() }
    var done: Int { lock.lock(); defer { lock.unlock() }; return acked + failedCount }
    var failures: Int { lock.lock(); defer { lock.unlock() }; return failedCount }
}

/// `raftsh bench restart`: how long a node with N puts applied takes to reach "listening", from a
/// log compacted by snapshots and from the whole log.
struct RestartBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Time for a node with N puts applied to restart and listen: from a snapshot plus log, and from the whole log."
    )

    @Option(help: "Puts applied before the restart.")
    var puts: Int = 1_000_000

    @Option(help: "Distinct keys written.")
    var keys: Int = 10_000

    @Option(name: .customLong("value-size"), help: "Bytes per value.")
    var valueSize: Int = 100

    @Option(name: .customLong("snapshot-every"), help: "Entries between snapshots in the compacted run.")
    var snapshotEvery: UInt64 = NodeConfig.defaultSnapshotEvery

    @Option(name: .customLong("repeat"), help: "Restarts measured per run; the median is reported.")
    var runs: Int = 5

    func validate() throws {
        if puts < 1 || keys < 1 || valueSize < 1 || snapshotEvery < 1 || runs < 1 {
            throw ValidationError("--puts, --keys, --value-size, --snapshot-every and --repeat must be at least 1")
        }
    }

    func run() throws {
        print("raftsh bench restart — one node, \(puts) puts of \(valueSize) bytes over \(keys) keys applied, "
              + "then stopped and started again \(runs) times (median); fsync off while filling")
        var rows = [["log on disk", "entries in WAL", "snapshot", "data", "fill", "restart to listening"]]
        for every in [Optional(snapshotEvery), nil] {
            let dir = NSTemporaryDirectory() + "raftsh-bench-restart-\(getpid())-\(every.map(String.init) ?? "none")"
            try? FileManager.default.removeItem(atPath: dir)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let fillStart = ContinuousClock.now
            try fill(dir, every: every)
            let fillWall = ContinuousClock.now - fillStart
            var times: [Duration] = []
            var firstIndex: LogIndex = 0, lastIndex: LogIndex = 0
            for _ in 0..<runs {
                let socket = try BoundUDPSocket()
                var config = NodeConfig(id: 1, peers: [1: HostPort(host: "127.0.0.1", port: Int(socket.port))],
                                        dataDirectory: dir, clusterID: "bench", fsync: false, snapshotEvery: every)
                config.listenDescriptor = try socket.duplicate()
                let t0 = ContinuousClock.now
                let daemon = try RaftDaemon.start(config, log: { _ in })
                times.append(ContinuousClock.now - t0)
                if let r = daemon.report() { (firstIndex, lastIndex) = (r.firstIndex, r.lastIndex) }
                daemon.stop()
                socket.close()
            }
            times.sort()
            rows.append([every == nil ? "whole log" : "snapshot every \(every!)", "\(lastIndex + 1 - firstIndex)",
                         firstIndex > 1 ? "at \(firstIndex - 1)" : "none", megabytes(directoryBytes(dir)),
                         String(format: "%.1fs", Double(ns(fillWall)) / 1e9), ms(ns(times[times.count / 2]))])
            FileHandle.standardError.write((rows.last!.joined(separator: "  ") + "\n").data(using: .utf8)!)
        }
        print(table(rows))
    }

    /// Applies `puts` puts to a one-node log in `dir` through the core and KV server, as raftd would
    /// (same storage, same Ready loop), without the network.
    private func fill(_ dir: String, every: LogIndex?) throws {
        let storage = try NodeStorage.open(directory: dir, nodeID: 1, clusterID: "bench", options: StorageOptions(fsync: false))
        defer { storage.close() }
        let raft = try RaftNode(config: RaftConfig(id: 1, voters: [1]), storage: storage, random: SystemRandomNumberGenerator())
        let server = try KVServer(raft: raft, snapshotEvery: every)
        func drain() throws {
            try server.drain(persist: { rd in try storage.save(rd) }, send: { _ in }, reply: { _ in })
        }
        while raft.role != .leader {
            raft.tick()
            try drain()
        }
        let perClient = 10_000
        var n = 0
        var client: ClientID = 0
        while n < puts {
            client += 1
            guard let start = server.receive(ClientRequest(client: client, seq: 1, session: ClientRequest.noSession,
                                                           op: .put(key: "k0", value: "v"))).first?.index else {
                throw ValidationError("the node did not open a session")
            }
            var seq: UInt64 = 0
            for _ in 0..<min(perClient, puts - n) {
                seq += 1
                _ = server.receive(ClientRequest(client: client, seq: seq, session: start,
                                                 op: .put(key: "k\(n % keys)", value: PutLoad.value(n, valueSize))))
                n += 1
                if n % 256 == 0 { try drain() }
            }
            try drain()
        }
        try drain()
    }
}

/// `raftsh bench catchup`: in simulation, a follower N entries behind catches up by snapshot.
struct CatchUpBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catchup",
        abstract: "Simulation: a follower N entries behind catches up by snapshot; virtual time and bytes sent."
    )

    @Option(help: "Entries the follower misses.")
    var behind: Int = 100_000

    @Option(name: .customLong("snapshot-every"), help: "Entries between snapshots.")
    var snapshotEvery: UInt64 = 10_000

    @Option(help: "Distinct keys written.")
    var keys: Int = 10_000

    @Option(name: .customLong("value-size"), help: "Bytes per value.")
    var valueSize: Int = 100

    @Option(help: "Seed of the simulation.")
    var seed: UInt64 = 1

    func run() throws {
        var cfg = SimConfig(nodes: 3, seed: seed)
        cfg.checkInvariants = false
        cfg.snapshotEvery = snapshotEvery
        let c = try SimCluster(config: cfg)
        guard c.run(until: .s(5), stop: { c.leader != nil }), let leader = c.leader else {
            throw ValidationError("no leader within 5 virtual seconds")
        }
        let follower: NodeID = leader == 1 ? 2 : 1
        c.crash(follower)
        let w = try Workload(cluster: c, spec: WorkloadSpec(clients: 50, requests: behind, readRatio: 0, keys: keys,
                                                             valueSize: valueSize))
        let wallStart = ContinuousClock.now
        w.start()
        _ = c.run(until: c.now + .s(3_600)) { w.isDone }
        w.stop()
        let target = c.status(of: leader).commit
        let before = c.stats
        let restartAt = c.now
        c.restart(follower)
        let caughtUp = c.run(until: c.now + .s(600)) { c.status(of: follower).applied >= target }
        let took = c.now - restartAt
        let s = c.stats
        let wall = ContinuousClock.now - wallStart
        print("raftsh bench catchup — 3 simulated nodes, seed \(seed), snapshot-every \(snapshotEvery); node \(follower) "
              + "down while \(behind) puts of \(valueSize) bytes (\(keys) keys) commit, then restarted")
        print(table([
            ["figure", "value"],
            ["entries behind", "\(target)"],
            ["caught up", caughtUp ? "yes" : "NO (within 600 virtual seconds)"],
            ["virtual time to catch up", TimeFormat.duration(took)],
            ["snapshots installed", "\(s.snapshotsInstalled - before.snapshotsInstalled)"],
            ["snapshot chunks sent", "\(s.snapshotChunksSent - before.snapshotChunksSent)"],
            ["snapshot bytes sent", "\(s.snapshotBytesSent - before.snapshotBytesSent)"],
            ["follower's first index", "\(c.status(of: follower).firstIndex.map(String.init) ?? "-")"],
            ["wall time (whole run)", String(format: "%.1fs", Double(ns(wall)) / 1e9)],
        ]))
    }
}

/// Resident set size of process `pid` in bytes (Linux: VmRSS in /proc/PID/status), nil if unknown.
func residentBytes(_ pid: pid_t) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
    }
    return nil
}

/// Bytes of the regular files under `path`.
func directoryBytes(_ path: String) -> Int {
    var total = 0
    guard let items = FileManager.default.enumerator(atPath: path) else { return 0 }
    for case let item as String in items {
        if let attrs = try? FileManager.default.attributesOfItem(atPath: path + "/" + item),
           (attrs[.type] as? FileAttributeType) == .typeRegular, let size = attrs[.size] as? NSNumber {
            total += size.intValue
        }
    }
    return total
}

/// `12.3 MB`.
func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
