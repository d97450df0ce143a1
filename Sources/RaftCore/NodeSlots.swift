/// A value per node, kept in an array indexed by the node's id (ids are small: 1...N), instead of a
/// dictionary: a lookup is one bounds check, no hashing, and a value is read and changed in place
/// (`slots[id]!.field = x`), so a value holding an array (a follower's inflight window, a checker's
/// heap) is never copied on write. Iteration (`ids`) is in ascending id order, never hash order.
@frozen public struct NodeSlots<Value> {
    @usableFromInline var slots: [Value?] = []

    /// The largest id a slot is made for; a value for a bigger id is a programming error.
    @inlinable public static var maxID: NodeID { 1 << 16 }

    @inlinable public init() {}

    /// The value of node `id`, nil if none. Setting nil removes it; reading or removing an id
    /// never stored (a stray message's sender) costs nothing and stores nothing.
    @inlinable public subscript(id: NodeID) -> Value? {
        _read {
            if id < UInt64(slots.count) { yield slots[Int(id)] } else { yield nil }
        }
        _modify {
            if id >= UInt64(slots.count) {
                var absent: Value? = nil
                yield &absent
                guard absent != nil else { return }
                precondition(id <= Self.maxID, "node id \(id) is too large for a slot")
                slots.append(contentsOf: repeatElement(nil, count: Int(id) - slots.count + 1))
                slots[Int(id)] = absent
            } else {
                yield &slots[Int(id)]
            }
        }
    }

    /// Removes and returns the value of node `id`, leaving the slot empty: the caller holds the
    /// only reference, so changing it copies nothing. Put it back with `self[id] = value`.
    @inlinable public mutating func take(_ id: NodeID) -> Value? {
        guard id < UInt64(slots.count) else { return nil }
        var value: Value? = nil
        swap(&value, &slots[Int(id)])
        return value
    }

    /// The ids that have a value, ascending.
    @inlinable public var ids: [NodeID] {
        var out: [NodeID] = []
        for (i, v) in slots.enumerated() where v != nil { out.append(NodeID(i)) }
        return out
    }

    /// Forgets every value (keeping the storage).
    @inlinable public mutating func removeAll() {
        for i in slots.indices { slots[i] = nil }
    }
}

extension NodeSlots: Sendable where Value: Sendable {}
