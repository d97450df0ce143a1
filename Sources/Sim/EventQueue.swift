/// A min-priority queue of events ordered by (time, sequence number): events at equal times run
/// in the order they were scheduled, so a run never depends on heap internals.
///
/// A 4-ary heap over an array of (time, sequence, event): the simulator's events are a few plain
/// words (what they carry waits in a `Slab`), so they sit in the heap itself, with no slot to fill
/// and free per event, and the heap is half as deep as a binary one (a pop compares about as
/// often, and moves half as many entries). (time, sequence) is unique, so any correct heap pops in
/// the same order. (swift-collections' `Heap` is a min-max heap, whose pop does about twice the
/// comparisons; callgrind put its sift-down at 4% of a run.)
///
/// In front of the heap, a FIFO lane for events scheduled in time order (`scheduleInOrder`): a
/// node's next tick is always `now + tick`, so ticks (three events in five) are scheduled in the
/// order they fall due and need no heap at all. An event goes to the lane only if it falls due no
/// earlier than the lane's last one, which keeps the lane sorted by (time, sequence); `pop` takes
/// the earlier of the two heads. The order of events is exactly that of one heap.
public struct EventQueue<Event> {
    struct Entry {
        var time: SimTime
        var seq: UInt64
        var event: Event
        @inline(__always) func precedes(_ b: Entry) -> Bool { time != b.time ? time < b.time : seq < b.seq }
    }

    private var heap: [Entry] = []
    /// The in-order lane: `lane[laneHead...]` waits, sorted by (time, sequence).
    private var lane: [Entry] = []
    private var laneHead = 0
    private var nextSeq: UInt64 = 0

    public init() {}

    public var count: Int { heap.count + lane.count - laneHead }
    public var isEmpty: Bool { count == 0 }
    /// The time of the earliest event.
    public var nextTime: SimTime? {
        if laneHead < lane.count {
            let t = lane[laneHead].time
            if let h = heap.first, h.time < t { return h.time }
            return t
        }
        return heap.first?.time
    }

    /// Queue `event` at `time`.
    public mutating func schedule(_ event: Event, at time: SimTime) {
        let entry = Entry(time: time, seq: nextSeq, event: event)
        nextSeq &+= 1
        push(entry)
    }

    /// Queue `event` at `time`, expecting events scheduled this way to fall due in the order they
    /// are scheduled (a periodic tick): such an event waits in the FIFO lane, not the heap. One that
    /// falls due before the lane's last event goes to the heap; the order is the same either way.
    /// Inlined into its caller (the simulator's tick, three events in five): the call and its
    /// frame were a third of its cost (callgrind of `raftsh bench sim`).
    @inline(__always)
    public mutating func scheduleInOrder(_ event: Event, at time: SimTime) {
        let entry = Entry(time: time, seq: nextSeq, event: event)
        nextSeq &+= 1
        if laneHead < lane.count, time < lane[lane.count - 1].time {
            push(entry)
            return
        }
        if laneHead == lane.count {
            lane.removeAll(keepingCapacity: true)
            laneHead = 0
        } else if laneHead >= 32, laneHead * 2 >= lane.count {
            lane.removeSubrange(0..<laneHead)
            laneHead = 0
        }
        lane.append(entry)
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 2
                guard entry.precedes(h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = entry
        }
    }

    /// Remove and return the earliest event.
    public mutating func pop() -> (time: SimTime, event: Event)? {
        if laneHead < lane.count {
            let l = lane[laneHead]
            if heap.isEmpty || l.precedes(heap[0]) {
                laneHead += 1
                return (l.time, l.event)
            }
        }
        return popHeap()
    }

    /// Remove and return the earliest event if it falls due at `limit` or before (else nil, and the
    /// queue is unchanged): `nextTime` and `pop()` in one look at the two heads.
    public mutating func pop(dueBy limit: SimTime) -> (time: SimTime, event: Event)? {
        if laneHead < lane.count {
            let l = lane[laneHead]
            if heap.isEmpty || l.precedes(heap[0]) {
                guard l.time <= limit else { return nil }
                laneHead += 1
                return (l.time, l.event)
            }
        }
        guard let h = heap.first, h.time <= limit else { return nil }
        return popHeap()
    }

    private mutating func popHeap() -> (time: SimTime, event: Event)? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return (last.time, last.event) }
        let top = heap[0]
        heap.withUnsafeMutableBufferPointer { h in
            // Sift `last` down from the root.
            let n = h.count
            var i = 0
            while true {
                let first = 4 * i + 1
                if first >= n { break }
                var c = first
                let end = min(first + 4, n)
                var k = first + 1
                while k < end {
                    if h[k].precedes(h[c]) { c = k }
                    k += 1
                }
                guard h[c].precedes(last) else { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
        return (top.time, top.event)
    }
}
