import RaftCore

/// The running digest of a `KVStore`'s state: a sum (mod 2^64) of one 64-bit hash per key-value
/// pair and one per client session. A sum does not depend on the order things were added in, and
/// one change costs the hash of what left and of what came, so `KVStore.digest` is O(1) however
/// big the store is: a node's status report (which the checker on real nodes asks for every few
/// milliseconds) used to hash every pair in sorted order.
///
/// Equal states give equal digests. Different states give different digests unless the sums of
/// their hashes collide; each hash goes through a strong 64-bit finalizer (SplitMix64's) so that
/// this is as unlikely as for any 64-bit hash, though not proof against someone choosing keys to
/// collide on purpose.
struct StateDigest: Sendable, Equatable {
    /// The sum over key-value pairs.
    private(set) var data: UInt64 = 0
    /// The sum over client sessions.
    private(set) var sessions: UInt64 = 0

    /// `key` now holds `new` instead of `old` (nil: absent).
    mutating func replace(key: String, old: String?, new: String?) {
        guard old != nil || new != nil else { return }
        // The key hashed once for both pairs (`hash(key:value:)` from its state after the key).
        var afterKey = Hasher64(seed: 1)
        afterKey.string(key)
        if let old {
            var h = afterKey
            h.string(old)
            data &-= h.finish()
        }
        if let new {
            var h = afterKey
            h.string(new)
            data &+= h.finish()
        }
    }

    /// `client`'s session is now `new` instead of `old` (nil: none).
    mutating func replace(client: ClientID, old: ClientSession?, new: ClientSession?) {
        if let old { remove(client: client, session: old) }
        if let new { add(client: client, session: new) }
    }

    /// `client`'s session `session` is gone.
    mutating func remove(client: ClientID, session: ClientSession) {
        sessions &-= Self.hash(client: client, session: session)
    }

    /// `client`'s session is `session` (it had none, or the old one was removed).
    mutating func add(client: ClientID, session: ClientSession) {
        sessions &+= Self.hash(client: client, session: session)
    }

    /// One value for the whole state: the two sums and the two counts.
    func value(keys: Int, sessions sessionCount: Int) -> UInt64 {
        var h = Hasher64(seed: 0x6b76_6469_6765_7374)  // "kvdigest"
        h.u64(UInt64(keys))
        h.u64(data)
        h.u64(UInt64(sessionCount))
        h.u64(sessions)
        return h.finish()
    }

    static func hash(key: String, value: String) -> UInt64 {
        var h = Hasher64(seed: 1)
        h.string(key)
        h.string(value)
        return h.finish()
    }

    static func hash(client: ClientID, session s: ClientSession) -> UInt64 {
        var h = Hasher64(seed: 2)
        h.u64(client)
        h.u64(s.start)
        h.u64(s.seq)
        h.u64(s.index)
        h.u64(s.lastActive)
        let (tag, value) = s.result.tagged
        h.u64(UInt64(tag))
        if let value { h.string(value) }
        return h.finish()
    }
}

/// A small, fast 64-bit hash fed word by word (not byte by byte, as FNV-1a is): strings are fed
/// with their length first, eight bytes at a time. Deterministic across runs and machines (no
/// per-process seed, unlike Swift's `Hasher`), as the digest must be.
struct Hasher64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9e37_79b9_7f4a_7c15 }

    mutating func u64(_ v: UInt64) {
        state = (state ^ v) &* 0xbf58_476d_1ce4_e5b9
        state ^= state >> 31
    }

    mutating func string(_ s: String) {
        withUTF8Bytes(of: s) { bytes($0) }
    }

    /// A string's UTF-8 bytes: their count, then eight at a time.
    private mutating func bytes(_ raw: UnsafeRawBufferPointer) {
        let count = raw.count
        u64(UInt64(count))
        var i = 0
        while i + 8 <= count {
            u64(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < count {
            var last: UInt64 = 0
            for j in i..<count { last |= UInt64(raw[j]) << UInt64(8 * (j - i)) }
            u64(last)
        }
    }

    /// SplitMix64's finalizer over the state.
    func finish() -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
