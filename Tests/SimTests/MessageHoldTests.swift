import Testing
import RaftCore
import KV
import Check
@testable import Sim
import ClusterModel

/// Holds, releases and single steps in the simulator, the timeline it records, and the disk losing
/// entries written without a sync (the known bug ack-before-sync).
@Suite("Message holds, steps, timeline")
struct MessageHoldTests {
    func elected(_ nodes: Int = 3, seed: UInt64 = 1) throws -> (SimCluster, NodeID) {
        let c = try SimCluster(config: SimConfig(nodes: nodes, seed: seed))
        #expect(c.run(until: .s(3)) { c.leader != nil })
        return (c, c.leader!)
    }

    @Test func heldMessagesAreNotDeliveredUntilReleasedInOrder() throws {
        let (c, l) = try elected()
        let f = c.nodeIDs.first { $0 != l }!
        let link = Link(l, f)
        c.hold([link], kinds: nil)
        let delivered = c.stats.messagesDelivered
        c.run(for: .ms(200))
        let held = c.heldMessages(on: [link])
        #expect(held.count >= 3, "heartbeats every 50ms are held")
        #expect(held.allSatisfy { $0.from == l && $0.to == f })
        #expect(c.stats.messagesDelivered > delivered, "other links still deliver")
        let released = c.release([link])
        #expect(released == held)
        #expect(c.heldMessages(on: nil).isEmpty && c.heldLinks.isEmpty)
        c.run(for: .ms(200))
        #expect(c.heldMessages(on: nil).isEmpty, "released links no longer hold")
        #expect(c.violation == nil)
    }

    @Test func holdingOneKindLetsTheOthersThrough() throws {
        let (c, l) = try elected()
        let f = c.nodeIDs.first { $0 != l }!
        c.hold([Link(l, f)], kinds: [.append])
        #expect(c.heldLinks.first?.kinds == [.append])
        c.begin(.put(key: "x", value: "1"))
        c.run(for: .ms(300))
        let held = c.heldMessages(on: nil)
        #expect(!held.isEmpty && held.allSatisfy { $0.kind == .append })
        #expect(c.node(f).raft!.log.lastIndex < c.node(l).raft!.log.lastIndex, "the follower misses the entry")
        #expect(c.node(f).raft!.leader == l, "heartbeats get through")
        let dropped = c.dropHeld([Link(l, f)])
        #expect(dropped == held)
        c.run(for: .s(1))
        #expect(c.isConverged, "the leader sends again after the hold ends")
    }

    @Test func stepRunsUntilSomethingCanBeSeen() throws {
        let c = try SimCluster(config: SimConfig(nodes: 3, seed: 4))
        let lines = c.step(within: .s(10))
        #expect(lines.count >= 1)
        #expect(lines.allSatisfy { $0.hasPrefix("[t=") })
        var all = lines
        while c.leader == nil, all.count < 200 { all += c.step(within: .s(10)) }
        #expect(c.leader != nil)
        #expect(all.contains { $0.contains("became leader") })
    }

    @Test func sameSeedSameHeldTrace() throws {
        func run() throws -> UInt64 {
            let (c, l) = try elected(5, seed: 9)
            c.hold(c.nodeIDs.filter { $0 != l }.map { Link(l, $0) }, kinds: [.heartbeat, .append])
            c.begin(.put(key: "x", value: "1"))
            c.run(for: .ms(400))
            c.release(c.heldLinks.map(\.link))
            c.run(for: .s(2))
            return c.traceHash
        }
        #expect(try run() == run())
    }

    @Test func timelineRecordsRolesMarksAndCuts() throws {
        let (c, l) = try elected()
        c.recorder.recordsMessages = true
        c.crash(l)
        c.run(for: .s(1))
        c.updateNetwork { $0.isolate(c.nodeIDs.first { $0 != l }!) }
        c.run(for: .ms(500))
        c.updateNetwork { $0.heal() }
        c.restart(l)
        c.run(for: .s(1))
        let t = c.recorder.timeline(title: "t", nodes: c.nodeIDs, end: c.now, operations: [])
        #expect(t.states.contains { $0.node == l && $0.role == .leader })
        #expect(t.states.contains { $0.node == l && $0.process == .down })
        #expect(t.marks.map(\.kind) == [.crash, .restart])
        #expect(t.network.count == 3)
        #expect(t.network[1].cutOff.count == 1)
        #expect(!t.messages.isEmpty)
        #expect(t.messages.allSatisfy { $0.arrives.map { $0 >= t.messages[0].sent } ?? true })
    }

    @Test func aCrashLosesEntriesWrittenWithoutSync() {
        var d = SimDisk()
        d.write(hardState: HardState(term: 1, vote: 1, commit: 0), entries: [Entry(term: 1, index: 1)], sync: true)
        d.write(hardState: nil, entries: [Entry(term: 1, index: 2), Entry(term: 1, index: 3)], sync: false)
        d.write(hardState: nil, entries: [Entry(term: 2, index: 3)], sync: false)
        #expect(d.lastIndex == 3 && d.term(at: 3) == 2)
        d.crash()
        #expect(d.lastIndex == 1, "both unsynced writes undone")
        #expect(d.term(at: 1) == 1)
        // A sync makes earlier unsynced writes durable.
        d.write(hardState: nil, entries: [Entry(term: 1, index: 2)], sync: false)
        d.write(hardState: HardState(term: 2, vote: 1, commit: 0), entries: [], sync: true)
        d.crash()
        #expect(d.lastIndex == 2)
    }
}
