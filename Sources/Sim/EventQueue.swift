/// A min-priority queue of events ordered by (time, sequence number): events at equal times run
/// in the order they were scheduled, so a run never depends on heap internals.
///
/// The heap holds small keys (time, sequence, slot); the events themselves (a Raft message can be a
/// few hundred bytes) wait in a slab of slots and move once in and once out, not at every sift.
/// The heap is a plain binary heap over an array of keys: (time, sequence) is unique, so any
/// correct heap pops in the same order. (swift-collections' `Heap` is a min-max heap, whose
/// pop does about twice the comparisons; callgrind put its sift-down at 4% of a run.)
public struct EventQueue<Event> {
    struct Key {
        var time: SimTime
        var seq: UInt64
        var slot: Int
        @inline(__always) static func < (a: Key, b: Key) -> Bool { a.time != b.time ? a.time < b.time : a.seq < b.seq }
    }

    private var heap: [Key] = []
    private var slots: [Event?] = []
    private var freeSlots: [Int] = []
    private var nextSeq: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The time of the earliest event.
    public var nextTime: SimTime? { heap.first?.time }

    public mutating func schedule(_ event: Event, at time: SimTime) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = event
        } else {
            slot = slots.count
            slots.append(event)
        }
        push(Key(time: time, seq: nextSeq, slot: slot))
        nextSeq &+= 1
    }

    /// Remove and return the earliest event.
    public mutating func pop() -> (time: SimTime, event: Event)? {
        guard let key = popMin() else { return nil }
        let event = slots[key.slot].take()!
        freeSlots.append(key.slot)
        return (key.time, event)
    }

    private mutating func push(_ key: Key) {
        heap.append(key)
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard key < h[parent] else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = key
        }
    }

    private mutating func popMin() -> Key? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        let top = heap[0]
        heap.withUnsafeMutableBufferPointer { h in
            // Sift `last` down from the root.
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                let r = l + 1
                let c = r < n && h[r] < h[l] ? r : l
                guard h[c] < last else { break }
                h[i] = h[c]
                i = c
            }
            h[i] = last
        }
        return top
    }
}
