import Collections

/// A min-priority queue of events ordered by (time, sequence number): events at equal times run
/// in the order they were scheduled, so a run never depends on heap internals.
public struct EventQueue<Event> {
    struct Scheduled: Comparable {
        var time: SimTime
        var seq: UInt64
        var event: Event
        static func < (a: Scheduled, b: Scheduled) -> Bool { (a.time, a.seq) < (b.time, b.seq) }
        static func == (a: Scheduled, b: Scheduled) -> Bool { a.time == b.time && a.seq == b.seq }
    }

    private var heap = Heap<Scheduled>()
    private var nextSeq: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The time of the earliest event.
    public var nextTime: SimTime? { heap.min?.time }

    public mutating func schedule(_ event: Event, at time: SimTime) {
        heap.insert(Scheduled(time: time, seq: nextSeq, event: event))
        nextSeq &+= 1
    }

    /// Remove and return the earliest event.
    public mutating func pop() -> (time: SimTime, event: Event)? {
        guard let s = heap.popMin() else { return nil }
        return (s.time, s.event)
    }
}
