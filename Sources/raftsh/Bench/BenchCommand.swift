import ArgumentParser
import Foundation
import RaftCore
import KV
import Check
import Sim
import ClusterModel
import Harness

/// `raftsh bench …`: measured figures for README, never asserted in tests.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run benchmarks and print their figures.",
        subcommands: [SimBench.self, UDPBench.self, CheckBench.self, CompareBench.self, SoakBench.self, RestartBench.self,
                      CatchUpBench.self, TransferBench.self]
    )
}

struct SimBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulator speed: the proposal's 30-second runs, events per wall second."
    )

    @Option(name: .customLong("repeat"), help: "Repetitions of each run; the median is reported.")
    var runs: Int = 20

    @Option(help: "First seed; repetition i uses seed+i.")
    var seed: UInt64 = 1

    func validate() throws {
        if runs < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        print("raftsh bench sim — 5 nodes, 8 clients, 500 requests at 20/s, 30 virtual seconds, invariant checker on;")
        print("median of \(runs) runs (seeds \(seed)..\(seed + UInt64(runs) - 1))")
        print("")
        print("run".padding(toLength: 38, withPad: " ", startingAt: 0), "wall      virtual/wall  events/s  events  msgs  unanswered")
        for (name, failLeader, ratio) in [("proposal-1 (get ratio 0.8)", false, 0.8),
                                          ("proposal-2 (0.2, fail leader 8s,16s)", true, 0.2)] {
            var walls: [Double] = []
            var events = 0, msgs = 0, unanswered = 0
            for i in 0..<runs {
                let clock = ContinuousClock()
                var result: (Int, Int, Int) = (0, 0, 0)
                let d = try clock.measure {
                    result = try proposalRun(seed: seed + UInt64(i), readRatio: ratio, failLeader: failLeader)
                }
                walls.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
                (events, msgs, unanswered) = (events + result.0, msgs + result.1, unanswered + result.2)
            }
            walls.sort()
            let med = walls[walls.count / 2]
            let evPerRun = events / runs
            print(name.padding(toLength: 38, withPad: " ", startingAt: 0),
                  fmtMs(med).padding(toLength: 9, withPad: " ", startingAt: 0),
                  String(format: "%.0fx", 30.0 / med).padding(toLength: 13, withPad: " ", startingAt: 0),
                  String(format: "%.2fM", Double(evPerRun) / med / 1e6).padding(toLength: 9, withPad: " ", startingAt: 0),
                  String(evPerRun).padding(toLength: 7, withPad: " ", startingAt: 0),
                  String(msgs / runs).padding(toLength: 5, withPad: " ", startingAt: 0),
                  String(unanswered), separator: " ")
            print("  wall min..max \(fmtMs(walls.first!))..\(fmtMs(walls.last!))")
        }


        // The linearizability checker on a real simulated history: 10,000 operations, 8 clients, 100 keys.
        var cfg = SimConfig(nodes: 5, seed: seed)
        cfg.checkInvariants = false
        let c = try SimCluster(config: cfg)
        let w = try Workload(cluster: c, spec: WorkloadSpec(clients: 8, requests: 10_000, readRatio: 0.5, keys: 100))
        w.start()
        c.run(until: .s(600)) { w.isDone }
        w.stop()
        var checks: [Double] = []
        var verdict = ""
        for _ in 0..<max(3, runs / 4) {
            let clock = ContinuousClock()
            var result: LinearizabilityResult = .linearizable
            let d = clock.measure { result = LinearizabilityChecker().check(c.history) }
            checks.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
            if case .linearizable = result { verdict = "linearizable" } else { verdict = "NOT linearizable" }
        }
        checks.sort()
        print("")
        print("linearizability check of a simulated history: \(c.history.operations.count) operations, 8 clients, 100 keys")
        print("  \(fmtMs(checks[checks.count / 2])) median (\(fmtMs(checks.first!))..\(fmtMs(checks.last!))), \(verdict)")
    }

    func fmtMs(_ s: Double) -> String { String(format: "%.1fms", s * 1000) }
}

/// The proposal's simulation: 5 servers, 8 clients, 500 requests, 30 virtual seconds.
/// Returns (events, server messages, unanswered operations).
func proposalRun(seed: UInt64, readRatio: Double, failLeader: Bool) throws -> (Int, Int, Int) {
    var cfg = SimConfig(nodes: 5, seed: seed)
    cfg.checkInvariants = true
    let c = try SimCluster(config: cfg)
    let w = try Workload(cluster: c, spec: WorkloadSpec(clients: 8, requests: 500, readRatio: readRatio, rate: 20))
    w.start()
    if failLeader {
        c.run(until: .s(8))
        if let l = c.leader { c.crash(l) }
        c.run(until: .s(16))
        if let l = c.leader { c.crash(l) }
    }
    c.run(until: .s(30))
    w.stop()
    if let v = c.violation { throw ValidationError("invariant violated: \(v)") }
    return (c.stats.events, c.stats.messagesSent, w.unanswered.count)
}

/// `raftsh bench check`: the linearizability checker on simulated histories of growing size.
struct CheckBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Linearizability checking time on simulated histories of 1,000 to 100,000 operations, 10 to 50 clients."
    )

    @Option(help: "Operation counts to check, comma separated.")
    var operations: String = "1000,10000,100000"

    @Option(help: "Client counts, comma separated.")
    var clients: String = "10,50"

    @Option(help: "Distinct keys the clients share.")
    var keys: Int = 10

    @Option(help: "Seed of the simulated runs.")
    var seed: UInt64 = 1

    func run() throws {
        let opCounts = try list(operations, "--operations")
        let clientCounts = try list(clients, "--clients")
        print("raftsh bench check — histories from simulated 5-node clusters under 5% message loss, \(keys) keys,")
        print("half reads; median of 3 checks each")
        print("")
        print("operations  clients  mix                 unknown  check    verdict")
        for n in opCounts {
            for c in clientCounts {
                for (mix, casAppend) in [("get/put", false), ("get/put/cas/append", true)] {
                    let h = try simulatedHistory(operations: n, clients: c, casAppend: casAppend)
                    var times: [Double] = []
                    var verdict = ""
                    for _ in 0..<3 {
                        let clock = ContinuousClock()
                        var result: LinearizabilityResult = .linearizable
                        let d = clock.measure { result = LinearizabilityChecker().check(h) }
                        times.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
                        switch result {
                        case .linearizable: verdict = "linearizable"
                        case .violation: verdict = "NOT linearizable"
                        case .tooComplex: verdict = "too complex"
                        }
                    }
                    times.sort()
                    let unknown = h.operations.filter { $0.outcome == .unknown }.count
                    print(String(h.count).padding(toLength: 12, withPad: " ", startingAt: 0)
                          + String(c).padding(toLength: 9, withPad: " ", startingAt: 0)
                          + mix.padding(toLength: 20, withPad: " ", startingAt: 0)
                          + String(unknown).padding(toLength: 9, withPad: " ", startingAt: 0)
                          + String(format: "%.1fms", times[1] * 1000).padding(toLength: 9, withPad: " ", startingAt: 0)
                          + verdict)
                }
            }
        }
    }

    private func list(_ text: String, _ name: String) throws -> [Int] {
        let xs = text.split(separator: ",").compactMap { Int($0) }
        guard !xs.isEmpty, xs.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(name) takes positive numbers, e.g. 1000,10000") }
        return xs
    }

    /// The history of a simulated workload of `operations` operations by `clients` clients.
    private func simulatedHistory(operations: Int, clients: Int, casAppend: Bool) throws -> History {
        var cfg = SimConfig(nodes: 5, seed: seed)
        cfg.checkInvariants = false
        let sim = try SimCluster(config: cfg)
        sim.updateNetwork { $0.setFaults(loss: 0.05, duplicate: nil, delay: nil, on: nil) }
        var spec = WorkloadSpec(clients: clients, requests: operations, readRatio: 0.5, keys: keys)
        if casAppend {
            spec.mix = [WorkloadMixEntry(.get, share: 2), WorkloadMixEntry(.put, share: 1),
                        WorkloadMixEntry(.cas, share: 0.5), WorkloadMixEntry(.append, share: 0.5)]
        }
        let w = try Workload(cluster: sim, spec: spec)
        w.start()
        sim.run(until: .s(36_000)) { w.isDone }
        w.stop()
        return sim.history
    }
}
