import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import KV
import Check
import Sim
import Scenario
@testable import Node

@Suite("Workloads and faults on UDP clusters", .serialized)
struct UDPWorkloadTests {
    /// `workload start … workload stop`, `report` and the workload expectations on real nodes.
    @Test(.timeLimit(.minutes(1)))
    func workloadOnRealNodesIsAnsweredAndLinearizable() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        let (lines, failure) = runScenario("""
            wait until leader within 10s
            workload start clients 4 requests 60 ratio 0.5 keys 4 rate 50/s
            wait 2s
            fail leader
            wait 3s
            workload stop
            report
            expect unanswered == 0
            expect metric failures == 0
            expect linearizable
            """, on: c)
        #expect(failure == nil, "\(failure.map(String.init(describing:)) ?? "")\n\(lines.joined(separator: "\n"))")
        // The report's message count and leader history come from the nodes' counters and the probes.
        let report = lines.first { $0.contains("get requests") } ?? ""
        // (Snapshot counts are not known on udp clusters and say so.)
        #expect(!report.split(separator: "\n").contains { $0.contains("n/a") && !$0.hasPrefix("snapshots") }, "\(report)")
        #expect(report.contains("leader history:"), "\(report)")
        #expect(c.messagesSent > 0)
        let spans = c.leaderHistory
        #expect(spans.count >= 2, "\(spans)")
        #expect(spans.first?.to != nil, "the failed leader's span is closed: \(spans)")
        #expect(Set(spans.map(\.term)).count == spans.count, "one span per term: \(spans)")
        let w = try #require(c.workload)
        #expect(w.results.count == 60 && w.unanswered.isEmpty && !w.running)
        #expect(Set(w.results.map(\.client)) == Set(w.clientIDs))
        #expect(!w.clientIDs.contains(c.clientID))
        let workloadOps = c.history.operations.filter { w.clientIDs.contains($0.client) }
        #expect(workloadOps.count == 60 && workloadOps.allSatisfy { $0.complete != nil })
    }

    /// With every node paused nothing is answered; `stop` returns promptly and every client's
    /// operation in flight is unanswered.
    @Test(.timeLimit(.minutes(1)))
    func stopCutsOperationsInFlightShort() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        for id in c.nodeIDs { try c.pause(id) }
        try c.startWorkload(WorkloadSpec(clients: 3, requests: 30, readRatio: 0.5))
        c.wait(700_000_000)
        let w = try #require(c.workload)
        #expect(w.inFlight == 3)
        let clock = ContinuousClock()
        let t0 = clock.now
        c.stopWorkload()
        #expect(clock.now - t0 < .seconds(2))
        #expect(w.results.isEmpty && w.unanswered.count == 3 && w.inFlight == 0 && !w.running)
        #expect(c.history.operations.filter { w.clientIDs.contains($0.client) }.count == 3)
        #expect(throws: ClusterError.self) { try c.startWorkload(WorkloadSpec(clients: 0)) }
    }

    /// On nodes this shell did not start, process faults are errors, not fake crashes.
    @Test func processFaultsOnAnAttachedClusterAreRefused() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let owner = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
        defer { owner.shutdown() }
        let attached = try UDPCluster(attaching: owner.addresses, clusterKey: owner.clusterKey)
        defer { attached.shutdown() }
        do {
            try attached.crash(2)
            Issue.record("crash on an attached cluster did not throw")
        } catch {
            #expect(error.message.contains("this shell did not start node 2"))
        }
        #expect(throws: ClusterError.self) { try attached.pause(1) }
        #expect(throws: ClusterError.self) { try attached.resume(1) }
        #expect(throws: ClusterError.self) { try attached.restart(3) }
        let (lines, failure) = runScenario("fail 2", on: attached)
        #expect(failure?.message.hasPrefix("this shell did not start node 2") == true)
        #expect(!lines.contains { $0.contains("crashed") })
        #expect(owner.status(of: 2).state == .up)
    }
}
