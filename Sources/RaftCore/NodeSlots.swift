/// A value per node, kept in a buffer indexed by the node's id (ids are small: 1...N), instead of a
/// dictionary: a lookup is one bounds check, no hashing, and a value is read and changed in place
/// (`slots[id]!.field = x`), so a value holding an array (a follower's inflight window, a checker's
/// heap) is never copied on write. Iteration (`ids`) is in ascending id order, never hash order.
///
/// The buffer is a pointer owned by a small class (copied on write, like an array), so that a read
/// (`slots[id]?.field`) borrows the value where it lies: reading through an array's subscript
/// copied the whole value out (retaining every array it holds) and destroyed the copy, which
/// callgrind showed on every progress lookup of the leader.
@frozen public struct NodeSlots<Value> {
    /// The slots `0 ..< count`, each holding a value or nil, and one more slot after them that is
    /// always nil between accesses: what a read or a change of an id beyond the slots borrows, so
    /// that every access yields an address (a coroutine yielding a temporary `Value?` allocated
    /// its frame on the heap at every call, which callgrind showed on every progress lookup).
    @usableFromInline final class Storage {
        @usableFromInline let base: UnsafeMutablePointer<Value?>
        @usableFromInline let count: Int

        @inlinable init(count: Int) {
            base = .allocate(capacity: count + 1)
            base.initialize(repeating: nil, count: count + 1)
            self.count = count
        }

        /// A copy holding the same values, with at least `count` slots.
        @inlinable func copy(count newCount: Int) -> Storage {
            let s = Storage(count: Swift.max(newCount, count))
            for i in 0 ..< count { s.base[i] = base[i] }
            return s
        }

        @inlinable deinit {
            base.deinitialize(count: count + 1)
            base.deallocate()
        }
    }

    @usableFromInline var storage: Storage
    /// `storage`'s buffer and slot count, kept here as plain values so that a read touches no
    /// reference count (reading them through `storage` retained and released it at every read).
    @usableFromInline var base: UnsafeMutablePointer<Value?>
    @usableFromInline var slotCount: Int

    /// The largest id a slot is made for; a value for a bigger id is a programming error.
    @inlinable public static var maxID: NodeID { 1 << 16 }

    @inlinable public init() {
        storage = Storage(count: 0)
        base = storage.base
        slotCount = 0
    }

    /// Makes the storage unshared and at least `count` slots long.
    @inlinable mutating func makeUnique(count: Int) {
        if isKnownUniquelyReferenced(&storage) && slotCount >= count { return }
        grow(count: count)
    }

    /// Replaces the storage with an unshared one of at least `count` slots holding the same values.
    @inline(never) @usableFromInline mutating func grow(count: Int) {
        storage = storage.copy(count: count)
        base = storage.base
        slotCount = storage.count
    }

    /// The value of node `id`, nil if none. Setting nil removes it; reading or removing an id
    /// never stored (a stray message's sender) costs nothing and stores nothing.
    @inlinable public subscript(id: NodeID) -> Value? {
        // An addressor, not a `_read` coroutine: the coroutine was compiled out of line, a call
        // and a resume per read (callgrind: 0.8 M instructions of `bench sim`, the leader's ticks
        // and heartbeats reading each follower's progress).
        unsafeAddress {
            UnsafePointer(base + (id < UInt64(slotCount) ? Int(id) : slotCount))
        }
        // A plain setter beside `_modify`: an assignment (`slots[id] = value`, how the leader puts
        // a follower's progress back) calls it directly, where the coroutine allocated its frame
        // on the heap at every call (callgrind: 127,000 malloc/free pairs in the bench's runs).
        set {
            if id < UInt64(slotCount) {
                makeUnique(count: 0)
                base[Int(id)] = newValue
            } else if newValue != nil {
                store(newValue, at: id)
            }
        }
        _modify {
            makeUnique(count: 0)
            if id < UInt64(slotCount) {
                yield &base[Int(id)]
            } else {
                // The spare slot, nil: kept only if the caller stored a value there.
                yield &base[slotCount]
                if base[slotCount] != nil { store(base[slotCount].take(), at: id) }
            }
        }
    }

    /// Stores `value` at `id`, beyond the slots made so far (kept out of the accessor, whose
    /// coroutine frame would otherwise hold the message's string and be allocated at every call).
    @inline(never) @usableFromInline mutating func store(_ value: Value?, at id: NodeID) {
        precondition(id <= Self.maxID, "node id \(id) is too large for a slot")
        makeUnique(count: Int(id) + 1)
        base[Int(id)] = value
    }

    /// Removes and returns the value of node `id`, leaving the slot empty: the caller holds the
    /// only reference, so changing it copies nothing. Put it back with `self[id] = value`.
    @inlinable public mutating func take(_ id: NodeID) -> Value? {
        guard id < UInt64(slotCount) else { return nil }
        makeUnique(count: 0)
        // Moved out and the slot set to nil by hand: `Optional.take()` went through `Optional`'s
        // generic assign witness (callgrind: about 11 instructions a take, 123,000 in `bench sim`).
        let slot = base + Int(id)
        let value = slot.move()
        slot.initialize(to: nil)
        return value
    }

    /// Puts `value` back into node `id`'s slot, which `take(_:)` emptied (or replaces what it
    /// holds): the value moves in (`put(consume pr, at: p)`), where an assignment through the
    /// subscript copied it and stored the copy through `Optional`'s generic assign witness
    /// (callgrind: about 25 instructions at each of the leader's 123,000 puts in `bench sim`).
    @inlinable public mutating func put(_ value: consuming Value, at id: NodeID) {
        guard id < UInt64(slotCount) else { store(value, at: id); return }
        makeUnique(count: 0)
        let slot = base + Int(id)
        // A nil slot (what `take` leaves) is written over: it holds nothing to destroy. Moving it
        // out destroyed the nil through `Optional`'s generic destroy witness (callgrind: about 5
        // instructions at each of the leader's 123,000 puts in `bench sim`).
        if slot.pointee != nil { slot.deinitialize(count: 1) }
        slot.initialize(to: value)
    }

    /// The ids that have a value, ascending.
    @inlinable public var ids: [NodeID] {
        var out: [NodeID] = []
        for i in 0 ..< slotCount where base[i] != nil { out.append(NodeID(i)) }
        return out
    }

    /// Forgets every value (keeping the storage).
    @inlinable public mutating func removeAll() {
        makeUnique(count: 0)
        for i in 0 ..< slotCount { base[i] = nil }
    }
}

extension NodeSlots: @unchecked Sendable where Value: Sendable {}
