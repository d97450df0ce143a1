import RaftCore

/// What `KVServer.advance(_:)` produced.
public struct ServerOutput: Sendable {
    /// Answers to send to clients, in a deterministic order.
    public var replies: [ClientReply]
    /// Committed entries applied in this advance, in index order.
    public var applied: [Entry]
    /// The normal entries among `applied` that the store handled, with their results, in index order
    /// (empty when the server's `recordsCommands` is off).
    public var commands: [AppliedCommand]
    /// The index of the snapshot from the leader loaded into the store, before `applied`.
    public var installed: LogIndex?
    /// The index of the snapshot this node took after applying (stored by the next `Ready`).
    public var snapshotTaken: LogIndex?
    /// Set when the server failed (`KVServer.failure`); the driver must stop the node.
    public var failure: String?

    public init(replies: [ClientReply] = [], applied: [Entry] = [], commands: [AppliedCommand] = []) {
        self.replies = replies
        self.applied = applied
        self.commands = commands
    }
}
