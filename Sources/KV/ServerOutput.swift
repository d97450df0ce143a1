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
}

// The public initializer lives in an extension so that the struct keeps its synthesized memberwise
// initializer, which it calls: built field by field in its own `init`, a struct of three arrays was
// built twice, one copy retained and the other destroyed (as `Message` was; see there).
extension ServerOutput {
    public init(replies: [ClientReply] = [], applied: [Entry] = [], commands: [AppliedCommand] = []) {
        self.init(replies: replies, applied: applied, commands: commands, installed: nil, snapshotTaken: nil,
                  failure: nil)
    }
}
