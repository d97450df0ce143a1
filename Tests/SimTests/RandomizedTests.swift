import Testing
import RaftCore
import ClusterModel
import Check
import KV
import Check
@testable import Sim

/// Runs one seeded chaos run: 5 nodes, a client workload, random faults for 15 virtual seconds,
/// then every fault repaired. Returns the cluster for inspection.
///
/// Nodes snapshot every 5 to 24 applied entries (by seed), so that logs are compacted all the time
/// and lagging or restarted followers catch up by InstallSnapshot; in every third seed client
/// sessions expire after 24 idle entries. Leadership transfers and membership changes (a node
/// added, a voter removed, the leader included) are among the faults.
func chaosRun(seed: UInt64, faultEvery: SimTime = .ms(250), disk: ClosedRange<SimTime>? = nil) throws -> (SimCluster, Workload, [String]) {
    let (c, w, log, _) = try chaosRunWithFaults(seed: seed, faultEvery: faultEvery, disk: disk)
    return (c, w, log)
}

/// `chaosRun`, also returning the fault injector (which counts the changes it made).
func chaosRunWithFaults(seed: UInt64, faultEvery: SimTime = .ms(250),
                        disk: ClosedRange<SimTime>? = nil) throws -> (SimCluster, Workload, [String], FaultInjector) {
    var cfg = SimConfig(nodes: 5, seed: seed)
    cfg.diskLatency = disk
    cfg.checkInvariants = true
    cfg.snapshotEvery = 5 + seed % 20
    if seed % 3 == 0 { cfg.sessionTTL = 24 }
    let c = try SimCluster(config: cfg)
    let w = try Workload(cluster: c, spec: WorkloadSpec(clients: 6, requests: 600, readRatio: 0.5, keys: 8,
                                                       rate: 40, opTimeout: .s(3)))
    var faults = FaultInjector(seed: seed, nodes: 5)
    var log: [String] = []
    c.run(for: .ms(500))
    w.start()
    let faultEnd = c.now + .s(15)
    while c.now < faultEnd && c.violation == nil {
        c.run(for: faultEvery)
        log.append("[\(TimeFormat.instant(c.now))] " + faults.step(c))
    }
    faults.repairAll(c)
    log.append("[\(TimeFormat.instant(c.now))] repaired")
    return (c, w, log, faults)
}

@Suite("Randomized runs under faults")
struct RandomizedTests {
    /// 200 seeds: safety holds throughout, the cluster converges after the faults heal, every
    /// operation gets an answer, and every acknowledged write is readable afterwards.
    @Test(arguments: 1...200)
    func chaos(seed: Int) throws {
        try checkChaos(seed: seed)
    }

    /// The same with background storage writes (`SimConfig.diskLatency`, as raftd writes): crashes
    /// now also lose writes in progress, and leaders commit on their followers' disks first.
    @Test(arguments: 1...100)
    func chaosWithBackgroundWrites(seed: Int) throws {
        try checkChaos(seed: seed, disk: .ms(1) ... .ms(8))
    }

    private func checkChaos(seed: Int, disk: ClosedRange<SimTime>? = nil) throws {
        let (c, w, log) = try chaosRun(seed: UInt64(seed), disk: disk)
        let repairedAt = c.now
        // Liveness: once faults heal, a leader is elected and the nodes converge in bounded time.
        let converged = c.run(until: repairedAt + .s(10)) { c.isConverged }
        #expect(c.violation == nil, "seed \(seed): \(c.violation!)\n\(log.joined(separator: "\n"))")
        #expect(converged, "seed \(seed): not converged 10s after healing: \(c.statuses)")
        // Let the workload finish on the healed cluster.
        let done = c.run(until: c.now + .s(30)) { w.isDone }
        #expect(done, "seed \(seed): workload did not finish: issued \(w.issued) of \(w.spec.requests)")
        w.stop()
        _ = c.run(until: c.now + .s(2)) { c.isConverged }
        #expect(c.violation == nil, "seed \(seed): \(c.violation?.description ?? "")")
        #expect(c.stats.snapshotsTaken > 0, "seed \(seed): no snapshot taken")

        // Every acknowledged write is on every node's log at its index (or in its snapshot).
        for n in c.nodeIDs where !c.node(n).removed {
            c.checker.checkAcknowledgedWrites(on: c.node(n).raft!, at: c.now)
        }
        #expect(c.checker.firstViolation == nil, "seed \(seed): \(c.checker.firstViolation?.description ?? "")")

        // And readable: a fresh linearizable read of every key returns the last acknowledged write
        // (or a later, possibly unknown, write) — checked by the linearizability checker over the
        // whole history, reads included.
        for k in 0..<w.spec.keys {
            let r = c.perform(.get(key: "k\(k)"), timeout: .s(5))
            #expect(r.succeeded, "seed \(seed): final read of k\(k) failed: \(r.failure ?? "")")
        }
        let verdict = LinearizabilityChecker().check(c.history)
        if case .violation(let key, let ops) = verdict {
            Issue.record("seed \(seed): history not linearizable on key \(key):\n\(describe(ops))")
        }
    }

    /// The suite exercises what it is meant to: over the first 40 seeds, followers install snapshots
    /// in most runs, and sessions expire in some.
    @Test func snapshotsAndExpiriesHappen() throws {
        var installs = 0, expiries = 0
        for seed in 1...40 {
            let (c, _, _) = try chaosRun(seed: UInt64(seed))
            _ = c.run(until: c.now + .s(10)) { c.isConverged }
            if c.stats.snapshotsInstalled > 0 { installs += 1 }
            if c.nodeIDs.contains(where: { (c.node($0).server?.store.expiredSessions ?? 0) > 0 }) { expiries += 1 }
        }
        #expect(installs >= 30, "snapshots installed in \(installs) of 40 runs")
        #expect(expiries >= 3, "sessions expired in \(expiries) of 40 runs")
    }

    /// Membership changes and transfers happen in most runs and take effect: nodes are added and
    /// removed, and leadership moves by transfer.
    @Test func membershipChangesAndTransfersHappen() throws {
        var changed = 0, transferred = 0, grown = 0, shrunk = 0
        for seed in 1...40 {
            let (c, _, _, faults) = try chaosRunWithFaults(seed: UInt64(seed))
            _ = c.run(until: c.now + .s(10)) { c.isConverged }
            if faults.membershipChanges > 0 { changed += 1 }
            if faults.transfers > 0 { transferred += 1 }
            if c.nodeIDs.count > 5 { grown += 1 }
            if c.nodeIDs.contains(where: { c.node($0).removed }) { shrunk += 1 }
        }
        #expect(changed >= 30, "membership changed in \(changed) of 40 runs")
        #expect(transferred >= 30, "leadership transferred in \(transferred) of 40 runs")
        #expect(grown >= 20 && shrunk >= 10, "nodes added in \(grown), removed in \(shrunk) of 40 runs")
    }
}
