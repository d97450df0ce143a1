import Collections

/// A min-priority queue of events ordered by (time, sequence number): events at equal times run
/// in the order they were scheduled, so a run never depends on heap internals.
///
/// The heap holds small keys (time, sequence, slot); the events themselves (a Raft message can be a
/// few hundred bytes) wait in a slab of slots and move once in and once out, not at every sift.
public struct EventQueue<Event> {
    struct Key: Comparable {
        var time: SimTime
        var seq: UInt64
        var slot: Int
        static func < (a: Key, b: Key) -> Bool { a.time != b.time ? a.time < b.time : a.seq < b.seq }
        static func == (a: Key, b: Key) -> Bool { a.time == b.time && a.seq == b.seq }
    }

    private var heap = Heap<Key>()
    private var slots: [Event?] = []
    private var freeSlots: [Int] = []
    private var nextSeq: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The time of the earliest event.
    public var nextTime: SimTime? { heap.min?.time }

    public mutating func schedule(_ event: Event, at time: SimTime) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = event
        } else {
            slot = slots.count
            slots.append(event)
        }
        heap.insert(Key(time: time, seq: nextSeq, slot: slot))
        nextSeq &+= 1
    }

    /// Remove and return the earliest event.
    public mutating func pop() -> (time: SimTime, event: Event)? {
        guard let key = heap.popMin() else { return nil }
        let event = slots[key.slot].take()!
        freeSlots.append(key.slot)
        return (key.time, event)
    }
}
