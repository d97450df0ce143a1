import RaftCore

/// The Raft messages in flight in a simulation, each in a slot of one array until it is delivered:
/// an event in the queue names its message by slot, so sending one allocates nothing (a box per
/// message cost an allocation, a free and a release at every delivery) and the queue's events stay
/// a few words. Slots are reused, last freed first.
struct MessageSlab {
    private var slots: [Message?] = []
    private var freeSlots: [Int] = []

    /// Store `m` and return its slot.
    @inline(__always)
    mutating func put(_ m: Message) -> Int {
        if let slot = freeSlots.popLast() {
            slots[slot] = m
            return slot
        }
        slots.append(m)
        return slots.count - 1
    }

    /// Remove and return the message in `slot` (which `put` returned and nobody took yet).
    @inline(__always)
    mutating func take(_ slot: Int) -> Message {
        freeSlots.append(slot)
        return slots[slot].take()!
    }
}
