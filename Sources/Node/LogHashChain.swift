import RaftCore

/// The chained hash of a log, one value per index, kept as entries are appended and truncated:
///
///     h(offset) = FNV-1a(offset, offsetTerm)
///     h(i)      = FNV-1a(h(i-1), term(i), kind(i), count(data(i)), data(i))
///
/// Two logs agree on every entry up to index `i` exactly when their `h(i)` are equal (up to hash
/// collisions), so nodes can compare their logs at any index they both report without sending
/// the entries. A node's `status` report carries the hash at its commit index and at its last
/// index; the shell's probe checker compares them across nodes.
///
/// After a compaction (`compact(to:)`) the chain keeps `h(index)` as its new base, so the hashes
/// stay comparable with other nodes'. The node that takes a snapshot stores `h(index)` in its
/// metadata (`SnapshotMetadata.logHash`), which travels with it on disk and in InstallSnapshot, so
/// a chain that starts at a snapshot it did not hash itself (one installed from the leader, or
/// loaded on restart) starts from that value (`after(_:)`). Only a snapshot without one (taken by a
/// node that did not know the hash either, or written by an older build) gives a chain with
/// `unknownBase`, which reports no hash at all (`hash(at:)` is nil) rather than a wrong one.
///
/// Memory: 8 bytes per entry held, the same order as the log itself.
public struct LogHashChain: Sendable, Hashable {
    /// The index before the first hashed entry (the log's offset).
    public private(set) var offset: LogIndex
    /// `h(offset)`.
    public private(set) var base: UInt64
    /// Whether `base` is the real `h(offset)` (false after a snapshot this chain did not hash).
    public private(set) var baseKnown = true
    /// `hashes[k]` is `h(offset + 1 + k)`.
    private var hashes: [UInt64] = []

    /// An empty chain starting after `offset`, whose entry has term `offsetTerm`.
    public init(offset: LogIndex = 0, offsetTerm: Term = 0) {
        self.offset = offset
        var h = LogHashChain.fnvBasis
        LogHashChain.mix(&h, offset)
        LogHashChain.mix(&h, offsetTerm)
        self.base = h
    }

    /// An empty chain starting after the snapshot `point`: from its `logHash` when it has one,
    /// else with an unknown base.
    public static func after(_ point: SnapshotMetadata) -> LogHashChain {
        guard point.index > 0 else { return LogHashChain() }
        guard point.logHash != 0 else { return .unknownBase(offset: point.index, offsetTerm: point.term) }
        var chain = LogHashChain(offset: point.index, offsetTerm: point.term)
        chain.base = point.logHash
        return chain
    }

    /// An empty chain starting after a snapshot at `offset` whose hash is not known.
    public static func unknownBase(offset: LogIndex, offsetTerm: Term) -> LogHashChain {
        var chain = LogHashChain(offset: offset, offsetTerm: offsetTerm)
        chain.baseKnown = false
        return chain
    }

    /// Drops the hashes up to `index` (the log was compacted to it), keeping `h(index)` as the base;
    /// nothing happens for an index outside the chain.
    public mutating func compact(to index: LogIndex) {
        guard index > offset, index <= lastIndex, let h = hash(at: index) else { return }
        hashes.removeSubrange(0..<Int(index - offset))
        offset = index
        base = h
    }

    /// The last index hashed.
    public var lastIndex: LogIndex { offset + LogIndex(hashes.count) }

    /// `h(index)`, or nil when `index` is before the offset or after the last entry.
    public func hash(at index: LogIndex) -> UInt64? {
        guard baseKnown else { return nil }
        if index == offset { return base }
        guard index > offset, index <= lastIndex else { return nil }
        return hashes[Int(index - offset - 1)]
    }

    /// Append `entries` (consecutive), replacing every hash from `entries.first.index` on, as a
    /// log does when a conflicting suffix is overwritten. Entries that would leave a gap after the
    /// last index, or that start at or before the offset, are ignored from that point.
    public mutating func append(_ entries: some Sequence<Entry>) {
        for e in entries {
            guard e.index > offset, e.index <= lastIndex + 1 else { return }
            let keep = Int(e.index - offset - 1)
            if keep < hashes.count { hashes.removeSubrange(keep...) }
            var h = keep == 0 ? base : hashes[keep - 1]
            LogHashChain.mix(&h, e.term)
            LogHashChain.mixByte(&h, e.kind.rawValue)
            LogHashChain.mix(&h, UInt64(e.data.count))
            for b in e.data { LogHashChain.mixByte(&h, b) }
            hashes.append(h)
        }
    }

    // MARK: - FNV-1a, 64-bit

    static let fnvBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    private static func mixByte(_ h: inout UInt64, _ b: UInt8) {
        h = (h ^ UInt64(b)) &* fnvPrime
    }

    /// The 8 bytes of `v`, little-endian.
    private static func mix(_ h: inout UInt64, _ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { mixByte(&h, UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }
}
