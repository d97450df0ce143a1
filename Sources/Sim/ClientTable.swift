import KV

/// The simulator's clients by id: a plain array indexed by id for the ids clients usually have
/// (the interactive client 1, a workload's 101 and up), a dictionary only for larger ones. A
/// lookup (every reply and client timer, every operation a workload starts) is a bounds check,
/// where hashing the id cost about 140 instructions (callgrind of `raftsh bench sim`).
/// Nothing iterates it: `SimCluster.clientOrder` keeps the order clients were made in.
struct ClientTable {
    /// Ids below this live in `dense`.
    static let denseLimit: ClientID = 4_096

    private var dense: [SimClient?] = []
    private var sparse: [ClientID: SimClient] = [:]

    subscript(id: ClientID) -> SimClient? {
        get {
            if id < UInt64(dense.count) { return dense[Int(id)] }
            return id < Self.denseLimit ? nil : sparse[id]
        }
        set {
            guard id < Self.denseLimit else {
                sparse[id] = newValue
                return
            }
            if id >= UInt64(dense.count) {
                guard newValue != nil else { return }
                dense.append(contentsOf: repeatElement(nil, count: Int(id) + 1 - dense.count))
            }
            dense[Int(id)] = newValue
        }
    }
}
