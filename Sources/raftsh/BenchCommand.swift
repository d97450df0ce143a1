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
        subcommands: [SimBench.self, UDPBench.self]
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
