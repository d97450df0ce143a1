/// One piece of an InstallSnapshot transfer (Raft §7, Figure 13), carried by a `.snapshot` message;
/// a `.snapshotResponse` carries one with no data to say how much the follower holds.
///
/// A leader cuts the snapshot's data into chunks that fit its per-message byte cap and sends them
/// in order, one at a time: chunk `k` covers `data` at `offset ..< offset + data.count`, and the
/// last one has `done` set. Every chunk repeats the snapshot's metadata, so that a follower can
/// tell the chunks of one snapshot from those of another.
public struct SnapshotChunk: Sendable, Hashable {
    /// The snapshot this chunk belongs to.
    public var metadata: SnapshotMetadata
    /// Where `data` starts in the snapshot's bytes (in a response: how many bytes the follower holds).
    public var offset: UInt64
    /// The bytes `offset ..< offset + data.count` of the snapshot (empty in a response).
    public var data: [UInt8]
    /// Whether this is the last chunk.
    public var done: Bool

    public init(metadata: SnapshotMetadata, offset: UInt64, data: [UInt8] = [], done: Bool = false) {
        self.metadata = metadata
        self.offset = offset
        self.data = data
        self.done = done
    }

    /// Encoded size beyond the message's other fields, without `data`: index, term, offset, done,
    /// and 8 bytes per member (an estimate, like `Entry.byteSize`).
    public var overheadBytes: Int { 48 + 8 * metadata.membership.count }

    /// Approximate encoded size.
    public var byteSize: Int { overheadBytes + data.count }
}
