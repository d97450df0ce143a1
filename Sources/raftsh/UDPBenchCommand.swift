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
            thread; the nodes sync their logs (group commit) unless --no-fsync.
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
        if tries < 0 { throw ValidationError("--tries must be 0 or more") }
        if valueSize < 1 || valueSize > 16_384 { throw ValidationError("--value-size must be 1...16384") }
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
        print("raftsh bench udp — \(build), loopback, fsync \(noFsync ? "off" : "on"), "
              + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(valueSize)-byte values")
        var rows: [[String]] = [["nodes", "run", "puts", "puts/s", "p50", "p99", "max", "failed"]]
        for n in sizes {
            let cluster = try UDPCluster(options: UDPClusterOptions(nodes: n, seed: 1, fsync: !noFsync))
            defer { cluster.shutdown() }
            FileHandle.standardError.write("\(cluster.summary)\n".data(using: .utf8)!)
            guard cluster.wait(until: { cluster.leader != nil }, within: 10_000_000_000) else {
                throw ValidationError("\(n) nodes: no leader within 10s")
            }
            let addrs = cluster.addresses
            var nextClient: ClientID = 1_000

            // Warm-up, then one client, one put at a time.
            let one = try UDPClient(nodes: addrs, clusterKey: cluster.clusterKey, clientID: nextClient)
            nextClient += 1
            for i in 0..<20 { _ = one.perform(.put(key: "warm\(i)", value: value(i)), timeout: .seconds(5)) }
            var seq = Sample()
            let seqStart = ContinuousClock.now
            for i in 0..<ops {
                let t0 = ContinuousClock.now
                let r = one.perform(.put(key: "s\(i % 64)", value: value(i)), timeout: .seconds(5))
                if case .ok = r.outcome { seq.record(ns(ContinuousClock.now - t0)) } else { seq.failed += 1 }
            }
            let seqWall = ContinuousClock.now - seqStart
            one.close()
            rows.append(["\(n)", "1 client, sequential", "\(seq.count)", rate(seq.count, seqWall)]
                        + seq.figures + ["\(seq.failed)"])
            printProgress(rows.last!)

            // Concurrent clients.
            for c in counts {
                let (s, wall) = try concurrent(clients: c, for: runFor, addrs: addrs, key: cluster.clusterKey, firstClient: nextClient)
                nextClient += ClientID(c)
                rows.append(["\(n)", "\(c) clients, \(NodeConfig.format(runFor))", "\(s.count)", rate(s.count, wall)]
                            + s.figures + ["\(s.failed)"])
                printProgress(rows.last!)
            }

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
                             "\(failedTries)"])
                printProgress(rows.last!)
            }
        }
        print("")
        print(table(rows))
        print("")
        print("p50/p99/max: latency of successful puts (client send to acknowledgement). failover: SIGKILL of the")
        print("leader to the next acknowledged put by a client retrying every 25ms.")
    }

    private func value(_ i: Int) -> String {
        let s = "v\(i)-"
        return s + String(repeating: "x", count: max(0, valueSize - s.utf8.count))
    }

    private func printProgress(_ row: [String]) {
        FileHandle.standardError.write((row.joined(separator: "  ") + "\n").data(using: .utf8)!)
    }

    /// `clients` threads, each with its own UDPClient, doing puts until `d` has passed.
    private func concurrent(clients: Int, for d: Duration, addrs: [NodeID: String], key: String,
                            firstClient: ClientID) throws -> (Sample, Duration) {
        var made: [UDPClient] = []
        for i in 0..<clients {
            made.append(try UDPClient(nodes: addrs, clusterKey: key, clientID: firstClient + ClientID(i)))
        }
        defer { for c in made { c.close() } }
        // Each client learns the leader before the clock starts.
        for c in made { _ = c.perform(.get(key: "warm0"), timeout: .seconds(5)) }
        let results = Box(Array(repeating: Sample(), count: clients))
        let group = DispatchGroup()
        let start = ContinuousClock.now
        let deadline = start + d
        for i in 0..<clients {
            let client = made[i]
            let vs = valueSize
            group.enter()
            let thread = Thread {
                var s = Sample()
                var n = 0
                while ContinuousClock.now < deadline {
                    n += 1
                    let t0 = ContinuousClock.now
                    let v = "c\(i)-\(n)-"
                    let r = client.perform(.put(key: "k\(i)-\(n % 16)", value: v + String(repeating: "x", count: max(0, vs - v.utf8.count))),
                                           timeout: .seconds(5))
                    if case .ok = r.outcome { s.record(ns(ContinuousClock.now - t0)) } else { s.failed += 1 }
                }
                results.set(i, s)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let wall = ContinuousClock.now - start
        var all = Sample()
        for s in results.all() { all.merge(s) }
        return (all, wall)
    }
}

/// Latencies of one run.
private struct Sample {
    var latencies: [UInt64] = []
    var failed = 0
    var count: Int { latencies.count }

    mutating func record(_ ns: UInt64) { latencies.append(ns) }
    mutating func merge(_ o: Sample) {
        latencies += o.latencies
        failed += o.failed
    }

    /// p50, p99, max through HdrHistogram (3 significant digits).
    var figures: [String] {
        guard !latencies.isEmpty else { return ["-", "-", "-"] }
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 3_600_000_000_000,
                                  numberOfSignificantValueDigits: .three)
        for l in latencies { _ = h.record(max(l, 1_000)) }
        return [ms(h.valueAtPercentile(50)), ms(h.valueAtPercentile(99)), ms(latencies.max()!)]
    }
}

private final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [Sample]
    init(_ s: [Sample]) { samples = s }
    func set(_ i: Int, _ s: Sample) {
        lock.lock()
        samples[i] = s
        lock.unlock()
    }
    func all() -> [Sample] {
        lock.lock()
        defer { lock.unlock() }
        return samples
    }
}

private func ns(_ d: Duration) -> UInt64 {
    let c = d.components
    return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds / 1_000_000_000))
}

private func ms(_ ns: UInt64) -> String {
    let v = Double(ns) / 1e6
    return v < 10 ? String(format: "%.2fms", v) : String(format: "%.1fms", v)
}

private func rate(_ count: Int, _ d: Duration) -> String {
    let s = Double(ns(d)) / 1e9
    return s > 0 ? String(format: "%.0f", Double(count) / s) : "-"
}

private func table(_ rows: [[String]]) -> String {
    var widths = Array(repeating: 0, count: rows[0].count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
        r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) }
            .joined()
    }.joined(separator: "\n")
}
