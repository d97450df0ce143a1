/// A follower's side of an InstallSnapshot transfer in progress: the chunks received so far, in
/// order, from one leader, of one snapshot.
struct SnapshotAssembly: Sendable {
    /// The leader sending it.
    var leader: NodeID
    /// The snapshot's metadata, as its first chunk gave it.
    var metadata: SnapshotMetadata
    /// The bytes received so far: the next chunk must start at `data.count`.
    var data: [UInt8]

    /// Whether `chunk` from `leader` belongs to this transfer.
    func accepts(_ chunk: SnapshotChunk, from sender: NodeID) -> Bool {
        sender == leader && chunk.metadata == metadata
    }
}
