/// Values waiting for an event of the simulator's queue, each in a numbered slot until taken: the
/// event names its value by slot, so queued events stay a few plain words (nothing to retain,
/// release or box per event) and a value moves in once and out once. Freed slots are reused, last
/// freed first.
///
/// The storage is managed by hand: an array of optionals cost a generic destroy of the old value at
/// every store and take (callgrind: `Optional` value witnesses at every message).
final class Slab<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// Slots below this were used at some time; each is either occupied or in `freeSlots`.
    private var used = 0
    private var freeSlots: [Int] = []
    private var occupied: [Bool] = []

    init(capacity: Int = 64) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        occupied.reserveCapacity(capacity)
    }

    deinit {
        for i in 0..<used where occupied[i] { (storage + i).deinitialize(count: 1) }
        storage.deallocate()
    }

    /// The number of values stored.
    var count: Int { used - freeSlots.count }

    /// Store `value` and return its slot.
    @inline(__always)
    func put(_ value: consuming Element) -> Int {
        let slot: Int
        if !freeSlots.isEmpty {
            // `removeLast()`, Array's own, inlines; `popLast()` is a collection algorithm's,
            // specialized but called out of line (callgrind: 25 instructions a put).
            slot = freeSlots.removeLast()
            occupied[slot] = true
        } else {
            if used == capacity { grow() }
            slot = used
            used += 1
            occupied.append(true)
        }
        (storage + slot).initialize(to: value)
        return slot
    }

    /// Remove and return the value in `slot` (one `put` returned and nobody took yet).
    @inline(__always)
    func take(_ slot: Int) -> Element {
        precondition(slot < used && occupied[slot], "slab slot \(slot) is empty")
        occupied[slot] = false
        freeSlots.append(slot)
        return (storage + slot).move()
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        for i in 0..<used where occupied[i] { (bigger + i).moveInitialize(from: storage + i, count: 1) }
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }
}
