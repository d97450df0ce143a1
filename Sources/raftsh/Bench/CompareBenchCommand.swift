import ArgumentParser
import Foundation
import RaftCore
import KV
import Node
import Harness

#if canImport(Glibc)
import Glibc
#endif

/// `raftsh bench compare --etcd PATH`: raftd and etcd on the same machine, the same loads, one run.
struct CompareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "raftd against etcd on this machine: the same sequential and concurrent put loads against both, in one run.",
        discussion: """
            Starts a 3-node etcd cluster (the binary given, loopback, fsync on, data in a temporary \
            folder) and a 3-node raftd cluster, measures the physical floor (fsync + 2 loopback round \
            trips), then runs one client doing sequential puts and N clients doing puts for --duration \
            against each, through one load generator (raftd through its own client, etcd through its \
            v3 HTTP gateway on the leader's endpoint), and prints both and their ratio. \
            bench/etcd-compare.sh installs etcd (Debian's etcd-server) and runs this.
            """
    )

    @Option(help: "The etcd binary.")
    var etcd: String

    @Option(help: "Sequential puts.")
    var ops: Int = 2_000

    @Option(help: "Concurrent clients.")
    var clients: Int = 8

    @Option(help: "Length of the concurrent run, e.g. 10s.")
    var duration: String = "10s"

    @Option(help: "Bytes per value written.")
    var valueSize: Int = 16

    func run() throws {
        ProcessSupervisor.installCleanupHandlers()
        let runFor = try NodeConfig.parseDuration(duration)
        let floor = try Floor.measure(directory: NSTemporaryDirectory())
        print("raftsh bench compare — 3 nodes each, loopback, fsync on, \(valueSize)-byte values, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(Date())")
        print(floor.text)
        let version = (try? shell(etcd, ["--version"])) ?? "?"
        print("etcd: \(version.split(separator: "\n").first ?? "?")")

        // etcd first, then raftd, each alone on the machine while it is measured.
        let etcdCluster = try EtcdCluster(binary: etcd)
        let leaderClient = try etcdCluster.leaderClient()
        let (eSeq, eSeqWall) = PutLoad.sequential(leaderClient, ops: ops, valueSize: valueSize)
        var eClients: [EtcdClient] = []
        for _ in 0..<clients { eClients.append(try etcdCluster.client(port: etcdCluster.leaderPort)) }
        let (eConc, eConcWall) = PutLoad.concurrent(eClients, for: runFor, valueSize: valueSize)
        eClients.removeAll()
        etcdCluster.shutdown()

        let raftd = try UDPCluster(options: UDPClusterOptions(nodes: 3, seed: 1))
        defer { raftd.shutdown() }
        guard raftd.wait(until: { raftd.leader != nil }, within: 10_000_000_000) else { throw ValidationError("raftd: no leader") }
        let one = try raftd.makeClient(2_000)
        let (rSeq, rSeqWall) = PutLoad.sequential(RaftdPutTarget(one), ops: ops, valueSize: valueSize)
        one.close()
        var rClients: [UDPClient] = []
        for i in 0..<clients { rClients.append(try raftd.makeClient(3_000 + ClientID(i))) }
        let (rConc, rConcWall) = PutLoad.concurrent(rClients.map(RaftdPutTarget.init), for: runFor, valueSize: valueSize)
        for c in rClients { c.close() }

        func ratio(_ a: UInt64?, _ b: UInt64?) -> String {
            guard let a, let b, b > 0 else { return "-" }
            return String(format: "%.2f", Double(a) / Double(b))
        }
        func perSecond(_ s: LoadSample, _ d: Duration) -> Double { Double(s.count) / (Double(ns(d)) / 1e9) }
        var rows = [["system", "run", "puts", "puts/s", "p50", "p99", "max", "failed", "p50/floor"]]
        for (name, seq, seqWall, conc, concWall) in [("etcd", eSeq, eSeqWall, eConc, eConcWall),
                                                      ("raftd", rSeq, rSeqWall, rConc, rConcWall)] {
            rows.append([name, "1 client, sequential", "\(seq.count)", rate(seq.count, seqWall)] + seq.figures
                        + ["\(seq.failed)", floor.ratio(seq.percentile(50))])
            rows.append([name, "\(clients) clients, \(NodeConfig.format(runFor))", "\(conc.count)", rate(conc.count, concWall)]
                        + conc.figures + ["\(conc.failed)", floor.ratio(conc.percentile(50))])
        }
        print("")
        print(table(rows))
        print("")
        print("raftd / etcd: sequential p50 \(ratio(rSeq.percentile(50), eSeq.percentile(50))), "
              + "p99 \(ratio(rSeq.percentile(99), eSeq.percentile(99))); "
              + "\(clients)-client throughput " + String(format: "%.2f", perSecond(rConc, rConcWall) / max(1, perSecond(eConc, eConcWall))))
    }

    private func shell(_ exe: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}

/// A 3-member etcd cluster on loopback, each member a child process with its data in a temporary
/// folder; ended (and its folder removed) by `shutdown`.
final class EtcdCluster {
    let folder: String
    let clientPorts: [Int]
    private var processes: [ChildProcess] = []
    private(set) var leaderPort: Int = 0

    init(binary: String) throws {
        var template = Array((NSTemporaryDirectory() + "raftsh-etcd-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw ValidationError("cannot create a folder for etcd") }
        folder = String(cString: p)
        let ports = try freeTCPPorts(6)
        clientPorts = Array(ports[0..<3])
        let peerPorts = Array(ports[3..<6])
        let initial = (0..<3).map { "e\($0 + 1)=http://127.0.0.1:\(peerPorts[$0])" }.joined(separator: ",")
        for i in 0..<3 {
            let args = ["--name", "e\(i + 1)", "--data-dir", "\(folder)/e\(i + 1)",
                        "--listen-client-urls", "http://127.0.0.1:\(clientPorts[i])",
                        "--advertise-client-urls", "http://127.0.0.1:\(clientPorts[i])",
                        "--listen-peer-urls", "http://127.0.0.1:\(peerPorts[i])",
                        "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPorts[i])",
                        "--initial-cluster", initial, "--initial-cluster-state", "new",
                        "--initial-cluster-token", "raftsh-bench", "--log-level", "error"]
            processes.append(try ChildProcess.spawn(binary, args, logPath: "\(folder)/e\(i + 1).log"))
        }
        // Wait until every member answers and one leads.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let port = try? findLeader() {
                leaderPort = port
                return
            }
            usleep(100_000)
        }
        shutdown()
        throw ValidationError("etcd did not elect a leader within 30s (logs in \(folder))")
    }

    private func findLeader() throws -> Int {
        for port in clientPorts {
            let c = try EtcdClient(host: "127.0.0.1", port: port)
            let s = try c.status()
            if s.member == s.leader { return port }
        }
        throw ValidationError("no leader yet")
    }

    func client(port: Int) throws -> EtcdClient { try EtcdClient(host: "127.0.0.1", port: port) }
    func leaderClient() throws -> EtcdClient { try client(port: leaderPort) }

    func shutdown() {
        for p in processes { p.terminate() }
        processes.removeAll()
        try? FileManager.default.removeItem(atPath: folder)
    }

    deinit { shutdown() }
}

/// `n` TCP ports on 127.0.0.1 that were free a moment ago (bound to port 0, then released).
private func freeTCPPorts(_ n: Int) throws -> [Int] {
    var fds: [Int32] = []
    defer { for fd in fds { close(fd) } }
    var ports: [Int] = []
    for _ in 0..<n {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw ValidationError("socket failed") }
        fds.append(s)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard ok else { throw ValidationError("bind failed") }
        ports.append(Int(UInt16(bigEndian: a.sin_port)))
    }
    return ports
}
