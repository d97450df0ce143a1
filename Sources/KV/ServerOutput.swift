import RaftCore

/// What `KVServer.advance(_:)` produced.
public struct ServerOutput: Sendable {
    /// Answers to send to clients, in a deterministic order.
    public var replies: [ClientReply]
    /// Committed entries applied in this advance, in index order.
    public var applied: [Entry]
    /// The normal entries among `applied` that the store handled, with their results, in index order.
    public var commands: [AppliedCommand]

    public init(replies: [ClientReply] = [], applied: [Entry] = [], commands: [AppliedCommand] = []) {
        self.replies = replies
        self.applied = applied
        self.commands = commands
    }
}
