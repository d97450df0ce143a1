import Testing
import RaftCore
import KV
import Check
@testable import Sim
import ClusterModel

@Suite("Simulated cluster")
struct SimClusterTests {
    func cluster(_ nodes: Int = 5, seed: UInt64 = 1) throws -> SimCluster {
        try SimCluster(config: SimConfig(nodes: nodes, seed: seed))
    }

    @Test func electsALeaderWithinTimeouts() throws {
        let c = try cluster()
        let ok = c.run(until: .s(2)) { c.leader != nil }
        #expect(ok)
        #expect(c.now < .ms(700), "first election took \(TimeFormat.duration(c.now))")
    }

    @Test func putThenGet() throws {
        let c = try cluster()
        let p = c.perform(.put(key: "x", value: "1"))
        #expect(p.outcome == .ok(.ok))
        #expect(p.index >= 2)
        let g = c.perform(.get(key: "x"))
        #expect(g.outcome == .ok(.value("1")))
        let n = c.perform(.get(key: "nope"))
        #expect(n.outcome == .ok(.value(nil)))
    }

    @Test func leaderFailoverKeepsData() throws {
        let c = try cluster()
        #expect(c.perform(.put(key: "x", value: "1")).succeeded)
        let old = c.leader!
        c.crash(old)
        #expect(c.run(until: c.now + .s(3)) { c.leader != nil && c.leader != old })
        #expect(c.perform(.get(key: "x")).outcome == .ok(.value("1")))
        #expect(c.perform(.put(key: "x", value: "2")).succeeded)
        c.restart(old)
        #expect(c.run(until: c.now + .s(3)) { c.isConverged })
        #expect(c.appliedValue("x", on: old) == .some("2"))
        #expect(c.violation == nil)
    }

    @Test func minorityCannotCommitOrRead() throws {
        let c = try cluster()
        #expect(c.perform(.put(key: "x", value: "1")).succeeded)
        let l = c.leader!
        let others = c.nodeIDs.filter { $0 != l }
        c.updateNetwork { $0.partition([[l, others[0]], Array(others[1...])], allNodes: c.nodeIDs) }
        let stale = c.perform(.get(key: "x"), via: l, timeout: .s(1))
        #expect(!stale.succeeded)
        let w = c.perform(.put(key: "y", value: "1"), via: l, timeout: .s(1))
        #expect(!w.succeeded)
        // The majority side elects a leader and commits.
        #expect(c.run(until: c.now + .s(3)) { c.leader.map { Set(others[1...]).contains($0) } ?? false })
        #expect(c.perform(.put(key: "x", value: "2")).succeeded)
        c.updateNetwork { $0.heal() }
        #expect(c.run(until: c.now + .s(3)) { c.isConverged })
        for n in c.nodeIDs { #expect(c.appliedValue("x", on: n) == .some("2")) }
        #expect(c.violation == nil)
    }

    @Test func restartAllRecoversFromDisk() throws {
        let c = try cluster()
        for i in 0..<10 { #expect(c.perform(.put(key: "k\(i)", value: "\(i)")).succeeded) }
        for n in c.nodeIDs { c.crash(n) }
        c.run(for: .s(1))
        #expect(c.leader == nil)
        for n in c.nodeIDs { c.restart(n) }
        for i in 0..<10 { #expect(c.perform(.get(key: "k\(i)")).outcome == .ok(.value("\(i)"))) }
        #expect(c.violation == nil)
    }

    @Test func exactlyOnceUnderDuplication() throws {
        let c = try cluster()
        c.updateNetwork { $0.setFaults(LinkFaults(duplicate: 0.5, extraDelay: .ms(0) ... .ms(50)), on: nil) }
        for i in 0..<20 { #expect(c.perform(.put(key: "k", value: "\(i)")).succeeded) }
        #expect(c.perform(.get(key: "k")).outcome == .ok(.value("19")))
        // Every write applied once: 20 writes from one client, sessions dedupe the duplicates.
        let l = c.node(c.leader!).server!.store
        #expect(l.lastSeq(client: SimCluster.interactiveClient) == 20)
        #expect(c.violation == nil)
    }

    @Test func invalidConfigurationsAreRejected() {
        var cfg = SimConfig(nodes: 0)
        #expect(throws: ClusterError.self) { try SimCluster(config: cfg) }
        cfg = SimConfig(nodes: 3)
        cfg.heartbeat = .ms(200)
        do {
            _ = try SimCluster(config: cfg)
            Issue.record("accepted election timeout below heartbeat")
        } catch {
            #expect(error.description.contains("must be above the heartbeat"))
        }
    }

    @Test func proposalWorkloadAnswersEverything() throws {
        let c = try cluster(5, seed: 7)
        let w = try Workload(cluster: c, spec: WorkloadSpec(clients: 8, requests: 500, readRatio: 0.2))
        w.start()
        c.run(until: .s(8))
        if let l = c.leader { c.crash(l) }
        c.run(until: .s(16))
        if let l = c.leader { c.crash(l) }
        #expect(c.run(until: .s(30)) { w.isDone })
        w.stop()
        #expect(w.unanswered.isEmpty)
        #expect(w.results.count == 500)
        #expect(w.results.allSatisfy { $0.succeeded })
        #expect(c.violation == nil)
        if case .violation(let k, let ops) = LinearizabilityChecker().check(c.history) {
            Issue.record("not linearizable on \(k):\n\(describe(ops))")
        }
    }
}
