/// A snapshot: the state machine's bytes after applying every entry up to `metadata.index`, which
/// replace those entries in the log (Raft §7). The core never looks inside `data`; the application
/// makes it (`RaftNode.compact(to:data:)`) and loads it (`Ready.snapshotToApply`).
public struct Snapshot: Sendable, Hashable, CustomStringConvertible {
    /// Where it sits in the log, and the membership at that point.
    public var metadata: SnapshotMetadata
    /// The state machine's bytes, opaque to the core.
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }

    /// No snapshot.
    public static let none = Snapshot(metadata: .none, data: [])

    /// The last index it covers.
    public var index: LogIndex { metadata.index }
    /// The term of the entry at `index`.
    public var term: Term { metadata.term }

    public var description: String { "snapshot \(metadata) (\(data.count) bytes)" }
}
