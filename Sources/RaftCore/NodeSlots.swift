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
    /// The slots `0 ..< count`, each holding a value or nil.
    @usableFromInline final class Storage {
        @usableFromInline let base: UnsafeMutablePointer<Value?>
        @usableFromInline let count: Int

        @inlinable init(count: Int) {
            base = .allocate(capacity: Swift.max(count, 1))
            base.initialize(repeating: nil, count: count)
            self.count = count
        }

        /// A copy holding the same values, with at least `count` slots.
        @inlinable func copy(count newCount: Int) -> Storage {
            let s = Storage(count: Swift.max(newCount, count))
            for i in 0 ..< count { s.base[i] = base[i] }
            return s
        }

        @inlinable deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    @usableFromInline var storage: Storage?

    /// The largest id a slot is made for; a value for a bigger id is a programming error.
    @inlinable public static var maxID: NodeID { 1 << 16 }

    @inlinable public init() {}

    @inlinable var slotCount: Int { storage?.count ?? 0 }

    /// Makes the storage unshared and at least `count` slots long.
    @inlinable mutating func makeUnique(count: Int) {
        // Asked before binding the storage to a name (a second reference is never unique).
        if isKnownUniquelyReferenced(&storage) {
            if storage!.count >= count { return }
        } else if storage == nil {
            storage = Storage(count: count)
            return
        }
        storage = storage!.copy(count: count)
    }

    /// The value of node `id`, nil if none. Setting nil removes it; reading or removing an id
    /// never stored (a stray message's sender) costs nothing and stores nothing.
    @inlinable public subscript(id: NodeID) -> Value? {
        _read {
            if let s = storage, id < UInt64(s.count) { yield s.base[Int(id)] } else { yield nil }
        }
        _modify {
            if id >= UInt64(slotCount) {
                var absent: Value? = nil
                yield &absent
                if absent != nil { store(absent.take(), at: id) }
            } else {
                makeUnique(count: 0)
                yield &storage!.base[Int(id)]
            }
        }
    }

    /// Stores `value` at `id`, beyond the slots made so far (kept out of the accessor, whose
    /// coroutine frame would otherwise hold the message's string and be allocated at every call).
    @inline(never) @usableFromInline mutating func store(_ value: Value?, at id: NodeID) {
        precondition(id <= Self.maxID, "node id \(id) is too large for a slot")
        makeUnique(count: Int(id) + 1)
        storage!.base[Int(id)] = value
    }

    /// Removes and returns the value of node `id`, leaving the slot empty: the caller holds the
    /// only reference, so changing it copies nothing. Put it back with `self[id] = value`.
    @inlinable public mutating func take(_ id: NodeID) -> Value? {
        guard id < UInt64(slotCount) else { return nil }
        makeUnique(count: 0)
        return storage!.base[Int(id)].take()
    }

    /// The ids that have a value, ascending.
    @inlinable public var ids: [NodeID] {
        var out: [NodeID] = []
        guard let s = storage else { return out }
        for i in 0 ..< s.count where s.base[i] != nil { out.append(NodeID(i)) }
        return out
    }

    /// Forgets every value (keeping the storage).
    @inlinable public mutating func removeAll() {
        guard storage != nil else { return }
        makeUnique(count: 0)
        for i in 0 ..< storage!.count { storage!.base[i] = nil }
    }
}

extension NodeSlots: @unchecked Sendable where Value: Sendable {}
