import ArgumentParser
import Foundation
import Dispatch
import Histogram
import RaftCore
import KV
import Node
import Harness

/// `raftsh bench udp`: local raftd processes over loopback, fsync on.
struct UDPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp",
        abstract: "Real nodes: put latency and throughput of local raftd processes over UDP, and leader failover time.",
        discussion: """
            For each cluster size: one client doing sequential puts (p50, p99); N concurrent clients \
            doing puts for --duration (puts/s, p50, p99); and --tries times SIGKILL of the leader, \
            timed to the next successful put (median, max). Each client has its own socket and \
            thread; the nodes sync their logs (group commit) unless --no-fsync. With \
            --compare-no-fsync, a second cluster of each size with fsync off runs the same sequential \
            and concurrent loads in the same run, and each fsync figure is printed as a share of its \
            no-fsync twin (what group commit hides of the sync). Every load also reports the CPU \
            time (user and system) the cluster's raftd processes used per put, read from /proc: a \
            figure a busy host moves far less than it moves rates and latencies.
            """
    )

    @Option(help: "Cluster sizes, comma-separated.")
    var nodes: String = "3,5"

    @Option(help: "Sequential puts of the one-client run.")
    var ops: Int = 1_000

    @Option(help: "Concurrent client counts, comma-separated.")
    var clients: String = "8,64"

    @Option(help: "Length of each concurrent run, e.g. 10s.")
    var duration: String = "10s"

    @Option(help: "Leader failovers per cluster size.")
    var tries: Int = 10

    @Option(help: "Bytes per value written.")
    var valueSize: Int = 16

    @Flag(name: .customLong("no-fsync"), help: "Nodes do not sync their logs (not crash-safe).")
    var noFsync = false

    @Flag(name: .customLong("background-writes"),
          help: "Nodes run with raftd --background-writes: a leader hands its log writes to a writer thread.")
    var backgroundWrites = false

    @Flag(name: .customLong("compare-no-fsync"),
          help: "Also run each size's loads on a cluster with fsync off, and print the fsync figures as a share of them.")
    var compareNoFsync = false

    @Option(help: "Run everything (floor, loads, twin) this many times, then print each goal figure's min, median and max over the runs.")
    var `repeat`: Int = 1

    func parseList(_ text: String, _ name: String) throws -> [Int] {
        let v = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !v.isEmpty, v.allSatisfy({ $0 >= 1 }), v.count == text.split(separator: ",").count else {
            throw ValidationError("--\(name) takes positive numbers separated by commas (got '\(text)')")
        }
        return v
    }

    func validate() throws {
        _ = try parseList(nodes, "nodes")
        _ = try parseList(clients, "clients")
        do { _ = try NodeConfig.parseDuration(duration) } catch { throw ValidationError("--duration: \(error)") }
        if ops < 1 { throw ValidationError("--ops must be at least 1") }
        if `repeat` < 1 || `repeat` > 100 { throw ValidationError("--repeat must be 1...100") }
        if tries < 0 { throw ValidationError("--tries must be 0 or more") }
        if valueSize < 1 || valueSize > 16_384 { throw ValidationError("--value-size must be 1...16384") }
        if noFsync && compareNoFsync { throw ValidationError("--compare-no-fsync compares with fsync on; drop --no-fsync") }
    }

    func run() throws {
        ProcessSupervisor.installCleanupHandlers()
        let sizes = try parseList(nodes, "nodes")
        let counts = try parseList(clients, "clients")
        let runFor = try NodeConfig.parseDuration(duration)
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        print("raftsh bench udp — \(build), loopback, fsync \(noFsync ? "off" : "on")\(backgroundWrites ? ", background writes" : ""), "
              + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(valueSize)-byte values")
        var spread = Spread()
        for round in 1...`repeat` {
            if `repeat` > 1 { print("\nrun \(round) of \(`repeat`)") }
            try runOnce(sizes: sizes, counts: counts, runFor: runFor, spread: &spread)
        }
        print("")
        print("p50/p99/max: latency of successful puts (client send to acknowledgement). failover: SIGKILL of the")
        print("leader to the next acknowledged put by a client retrying every 25ms. raftd CPU/put: user and system")
        print("time of all the cluster's raftd processes during the run (the checker's status probes included) per put.")
        print("syncs/put: durable writes of the nodes' storage per put (each node's count, from its status report).")
        if `repeat` > 1 {
            print("")
            print("over \(`repeat`) runs (min / median / max):")
            print(spread.text)
        }
    }

    /// Each goal figure of every run, in the order first seen, for `--repeat`'s summary.
    struct Spread {
        private var names: [String] = []
        private var values: [String: [Double]] = [:]
        private var formats: [String: String] = [:]

        /// Records `value` of figure `name`, printed with `format` (a `String(format:)` pattern).
        mutating func add(_ name: String, _ value: Double?, format: String) {
            guard let value else { return }
            if values[name] == nil {
                names.append(name)
                formats[name] = format
            }
            values[name, default: []].append(value)
        }

        /// One line per figure: its name, then min / median / max.
        var text: String {
            names.map { name in
                let v = values[name]!.sorted()
                let f = formats[name]!
                let median = v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
                let cells = [v.first!, median, v.last!].map { String(format: f, $0) }
                return "  \(name): " + cells.joined(separator: " / ")
            }.joined(separator: "\n")
        }
    }

    /// One run: the floor, then for each size its loads, failovers and (with --compare-no-fsync)
    /// its twin's loads; prints the table and the summary lines and adds the goal figures to `spread`.
    private func runOnce(sizes: [Int], counts: [Int], runFor: Duration, spread: inout Spread) throws {
        // The floor, measured now, in the file system the nodes' data directories are in.
        let floor = try Floor.measure(directory: NSTemporaryDirectory())
        print(floor.text)
        var ratios: [String] = []
        var rows: [[String]] = [["nodes", "run", "puts", "puts/s", "p50", "p99", "max", "failed", "raftd CPU/put", "syncs/put"]]
        for n in sizes {
            var options = UDPClusterOptions(nodes: n, seed: 1, fsync: !noFsync)
            options.backgroundWrites = backgroundWrites
            let cluster = try UDPCluster(options: options)
            defer { cluster.shutdown() }
            FileHandle.standardError.write("\(cluster.summary)\n".data(using: .utf8)!)
            guard cluster.wait(until: { cluster.leader != nil }, within: 10_000_000_000) else {
                throw ValidationError("\(n) nodes: no leader within 10s")
            }
            var nextClient: ClientID = 1_000
            let loads = try runLoads(cluster, label: "", counts: counts, runFor: runFor, nextClient: &nextClient, rows: &rows)
            ratios.append("\(n) nodes, sequential puts: p50 \(floor.ratio(loads.sequential.percentile(50))) of the floor, "
                          + "p99 \(floor.ratio(loads.sequential.percentile(99))) "
                          + "(three logs syncing at once on this disk: p99 \(floor.ratio(floor.log.sharedP99)) by themselves)")
            spread.add("\(n) nodes, sequential p50 / floor", floor.times(loads.sequential.percentile(50)), format: "x%.1f")
            spread.add("\(n) nodes, sequential p99 / floor", floor.times(loads.sequential.percentile(99)), format: "x%.1f")
            for (i, c) in counts.enumerated() {
                let l = loads.concurrent[i]
                spread.add("\(n) nodes, \(c) clients, puts/s", Double(l.rate), format: "%.0f")
                spread.add("\(n) nodes, \(c) clients, p99 ms", l.stats.percentile(99).map { Double($0) / 1e6 }, format: "%.2f")
                spread.add("\(n) nodes, \(c) clients, syncs/put", l.syncsPerPut, format: "%.2f")
            }
            let addrs = cluster.addresses

            // Failover: SIGKILL the leader, time the next successful put.
            if tries > 0 {
                let client = try UDPClient(nodes: addrs, clusterKey: cluster.clusterKey, clientID: nextClient,
                                           attemptTimeout: .milliseconds(25))
                nextClient += 1
                defer { client.close() }
                var times: [UInt64] = []
                var failedTries = 0
                for t in 0..<tries {
                    // Start from a full, settled cluster whose leader the client knows.
                    _ = cluster.wait(until: { cluster.isConverged }, within: 10_000_000_000)
                    guard case .ok = client.perform(.put(key: "f", value: "before\(t)"), timeout: .seconds(10)).outcome,
                          let leader = cluster.leader else {
                        failedTries += 1
                        continue
                    }
                    let t0 = ContinuousClock.now
                    try cluster.crash(leader)
                    var done = false
                    while !done && ContinuousClock.now - t0 < .seconds(30) {
                        if case .ok = client.perform(.put(key: "f", value: "after\(t)"), timeout: .seconds(10)).outcome {
                            done = true
                        }
                    }
                    if done { times.append(ns(ContinuousClock.now - t0)) } else { failedTries += 1 }
                    do { try cluster.restart(leader) } catch { throw ValidationError(error.message) }
                }
                times.sort()
                let median = times.isEmpty ? "-" : ms(times[times.count / 2])
                let maxText = times.isEmpty ? "-" : ms(times.last!)
                rows.append(["\(n)", "failover (\(tries) tries)", "\(times.count)", "-", "median \(median)", "-", maxText,
                             "\(failedTries)", "-", "-"])
                printProgress(rows.last!)
            }
            if compareNoFsync {
                cluster.shutdown()  // the twin runs alone
                var twinOptions = UDPClusterOptions(nodes: n, seed: 1, fsync: false)
                twinOptions.backgroundWrites = backgroundWrites
                let twin = try UDPCluster(options: twinOptions)
                defer { twin.shutdown() }
                guard twin.wait(until: { twin.leader != nil }, within: 10_000_000_000) else {
                    throw ValidationError("\(n) nodes without fsync: no leader within 10s")
                }
                var twinClient: ClientID = 1_000
                let other = try runLoads(twin, label: " (no fsync)", counts: counts, runFor: runFor, nextClient: &twinClient,
                                         rows: &rows)
                twin.shutdown()
                for (i, c) in counts.enumerated() {
                    let with = loads.concurrent[i], without = other.concurrent[i]
                    ratios.append("\(n) nodes, \(c) clients: \(with.rate) puts/s with fsync = "
                                  + share(with.rate, of: without.rate) + " of \(without.rate) without"
                                  + syncCost(with: with, without: without, cpuPerSync: floor.log.cpuAlone))
                    spread.add("\(n) nodes, \(c) clients, with fsync / without", without.rate > 0
                               ? Double(with.rate) / Double(without.rate) * 100 : nil, format: "%.0f%%")
                }
            }
        }
        print("")
        print(table(rows))
        print("")
        for r in ratios { print(r) }
    }

    /// What one concurrent load measured: puts per second, and per put the CPU time of the
    /// cluster's raftd processes and their storage syncs (nil when not read).
    struct LoadFigures {
        var rate: Int
        var stats: LoadSample
        var cpuPerPut: Double?
        var syncsPerPut: Double?
    }

    /// The sum of the storage syncs the nodes of `cluster` report (nil if a node does not answer).
    private func logSyncs(_ cluster: UDPCluster) -> UInt64? {
        var total: UInt64 = 0
        for id in cluster.nodeIDs {
            guard let r = cluster.report(id) else { return nil }
            total += r.logSyncs
        }
        return total
    }

    /// Syncs per put between two readings of the nodes' counts (nil if unknown).
    private func syncsPerPut(from before: UInt64?, to after: UInt64?, puts: Int) -> Double? {
        guard let before, let after, puts > 0, after >= before else { return nil }
        return Double(after - before) / Double(puts)
    }

    /// Syncs per put as table text ("-" if unknown).
    private func syncsText(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "-" }

    /// `; fsync added 25us of raftd CPU a put, 1.40 syncs a put at 13us each (a save alone) are 18us of it`.
    private func syncCost(with: LoadFigures, without: LoadFigures, cpuPerSync: UInt64) -> String {
        guard let a = with.cpuPerPut, let b = without.cpuPerPut, let syncs = with.syncsPerPut else { return "" }
        let each = Double(cpuPerSync) / 1_000
        return String(format: "; fsync added %.0fus of raftd CPU a put, its %.2f syncs a put at %.0fus of CPU each "
                      + "(a save alone, above) are %.0fus of it", (a - b) * 1e6, syncs, each, syncs * each)
    }

    /// The sequential and concurrent put loads on `cluster`, one row each into `rows` (run names
    /// end with `label`); their figures.
    private func runLoads(_ cluster: UDPCluster, label: String, counts: [Int], runFor: Duration, nextClient: inout ClientID,
                          rows: inout [[String]]) throws -> (sequential: LoadSample, concurrent: [LoadFigures]) {
        let n = cluster.nodeIDs.count
        let addrs = cluster.addresses
        // One client, one put at a time.
        let one = try UDPClient(nodes: addrs, clusterKey: cluster.clusterKey, clientID: nextClient)
        nextClient += 1
        let pids = cluster.nodeIDs.compactMap { cluster.pid(of: $0) }
        var syncs = logSyncs(cluster)
        var cpu = ProcessCPU.seconds(of: pids)
        let (seq, seqWall) = PutLoad.sequential(RaftdPutTarget(one), ops: ops, valueSize: valueSize)
        one.close()
        var cpuAfter = ProcessCPU.seconds(of: pids)
        var syncsAfter = logSyncs(cluster)
        rows.append(["\(n)", "1 client, sequential\(label)", "\(seq.count)", rate(seq.count, seqWall)]
                    + seq.figures + ["\(seq.failed)", ProcessCPU.perPut(from: cpu, to: cpuAfter, puts: seq.count),
                                     syncsText(syncsPerPut(from: syncs, to: syncsAfter, puts: seq.count))])
        printProgress(rows.last!)
        // Concurrent clients.
        var concurrent: [LoadFigures] = []
        for c in counts {
            var made: [UDPClient] = []
            for i in 0..<c { made.append(try UDPClient(nodes: addrs, clusterKey: cluster.clusterKey, clientID: nextClient + ClientID(i))) }
            nextClient += ClientID(c)
            syncs = logSyncs(cluster)
            cpu = ProcessCPU.seconds(of: pids)
            let (s, wall) = PutLoad.concurrent(made.map(RaftdPutTarget.init), for: runFor, valueSize: valueSize)
            cpuAfter = ProcessCPU.seconds(of: pids)
            syncsAfter = logSyncs(cluster)
            for m in made { m.close() }
            let syncsEach = syncsPerPut(from: syncs, to: syncsAfter, puts: s.count)
            rows.append(["\(n)", "\(c) clients, \(NodeConfig.format(runFor))\(label)", "\(s.count)", rate(s.count, wall)]
                        + s.figures + ["\(s.failed)", ProcessCPU.perPut(from: cpu, to: cpuAfter, puts: s.count),
                                       syncsText(syncsEach)])
            printProgress(rows.last!)
            concurrent.append(LoadFigures(rate: Int(rate(s.count, wall)) ?? 0, stats: s,
                                          cpuPerPut: ProcessCPU.secondsPerPut(from: cpu, to: cpuAfter, puts: s.count),
                                          syncsPerPut: syncsEach))
        }
        return (seq, concurrent)
    }

    private func share(_ part: Int, of whole: Int) -> String {
        whole > 0 ? "\(Int((Double(part) / Double(whole) * 100).rounded()))%" : "-"
    }

    private func printProgress(_ row: [String]) {
        FileHandle.standardError.write((row.joined(separator: "  ") + "\n").data(using: .utf8)!)
    }
}

/// raftd through its own client.
final class RaftdPutTarget: PutTarget, @unchecked Sendable {
    let client: UDPClient
    init(_ client: UDPClient) { self.client = client }
    func put(key: String, value: String) -> Bool {
        if case .ok = client.perform(.put(key: key, value: value), timeout: .seconds(5)).outcome { return true }
        return false
    }
}
