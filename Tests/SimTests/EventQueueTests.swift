import Testing
import RaftCore
import ClusterModel
@testable import Sim

/// The event queue's order and the slabs that hold what queued events carry.
@Suite("Event queue and slabs")
struct EventQueueTests {
    @Test func popsInTimeThenSchedulingOrder() {
        var q = EventQueue<Int>()
        var rng = SeededRandom(seed: 7, stream: "queue")
        var expected: [(time: SimTime, n: Int)] = []
        for n in 0..<2_000 {
            let t = SimTime(rng.next() % 50)  // many equal times
            q.schedule(n, at: t)
            expected.append((t, n))
            if n % 3 == 0, let (time, e) = q.pop() {
                // Interleaved pops take the earliest of what is queued so far.
                let i = expected.indices.min { (expected[$0].time, expected[$0].n) < (expected[$1].time, expected[$1].n) }!
                #expect(expected[i].time == time && expected[i].n == e)
                expected.remove(at: i)
            }
        }
        expected.sort { ($0.time, $0.n) < ($1.time, $1.n) }
        var popped: [(SimTime, Int)] = []
        while let (t, e) = q.pop() { popped.append((t, e)) }
        #expect(popped.map(\.1) == expected.map(\.n))
        #expect(popped.map(\.0) == expected.map(\.time))
        #expect(q.isEmpty && q.nextTime == nil)
    }

    @Test func inOrderLanePopsExactlyAsOneHeap() {
        // Periodic events (a clock that only moves forward, a fixed interval) through the lane,
        // others through the heap, one out-of-order event into the lane's call: the same order as
        // scheduling everything on the heap.
        var q = EventQueue<Int>(), reference = EventQueue<Int>()
        var rng = SeededRandom(seed: 11, stream: "lane")
        var now: SimTime = 0
        var popped: [(SimTime, Int)] = [], expected: [(SimTime, Int)] = []
        for n in 0..<3_000 {
            switch rng.next() % 4 {
            case 0, 1:
                let t = now + 10 + (n % 500 == 0 ? 0 : 7)  // mostly in order; now and then earlier
                q.scheduleInOrder(n, at: t)
                reference.schedule(n, at: t)
            case 2:
                let t = now + SimTime(rng.next() % 20)
                q.schedule(n, at: t)
                reference.schedule(n, at: t)
            default:
                if let (t, e) = q.pop(), let (rt, re) = reference.pop() {
                    popped.append((t, e))
                    expected.append((rt, re))
                    now = t
                }
            }
            #expect(q.count == reference.count && q.nextTime == reference.nextTime)
        }
        while let (t, e) = q.pop() { popped.append((t, e)) }
        while let (t, e) = reference.pop() { expected.append((t, e)) }
        #expect(popped.map(\.0) == expected.map(\.0))
        #expect(popped.map(\.1) == expected.map(\.1))
        #expect(q.isEmpty && q.nextTime == nil)
    }

    @Test func slabReusesSlotsAndKeepsValuesThroughGrowth() {
        let slab = Slab<String>(capacity: 2)
        var slots: [Int: String] = [:]
        for i in 0..<100 { slots[slab.put("value \(i)")] = "value \(i)" }
        #expect(slab.count == 100)
        for (slot, value) in slots.sorted(by: { $0.key < $1.key }) where slot % 2 == 0 {
            #expect(slab.take(slot) == value)
            slots[slot] = nil
        }
        #expect(slab.count == 50)
        let reused = slab.put("again")
        #expect(reused % 2 == 0 && reused < 100)  // a freed slot, not a new one
        #expect(slab.take(reused) == "again")
        for (slot, value) in slots { #expect(slab.take(slot) == value) }
        #expect(slab.count == 0)
    }

    @Test func messagesWaitingForAPausedNodeAreFreedWhenItCrashes() throws {
        let c = try SimCluster(config: SimConfig(nodes: 3, seed: 2))
        #expect(c.run(until: .s(3)) { c.leader != nil })
        let f = c.nodeIDs.first { $0 != c.leader! }!
        c.pause(f)
        c.run(for: .s(2))
        #expect(c.inFlight.count > 20)  // heartbeats and appends wait in its inbox
        c.crash(f)
        #expect(c.inFlight.count < 12)  // only what is on the wire
        c.restart(f)
        #expect(c.run(until: c.now + .s(3)) { c.isConverged })
    }
}
