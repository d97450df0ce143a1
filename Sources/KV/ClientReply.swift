import RaftCore

/// A server's answer to the request `(client, seq)`.
public struct ClientReply: Sendable, Hashable {
    /// The client the answer is for.
    public var client: ClientID
    /// The request it answers.
    public var seq: UInt64
    /// What happened.
    public var outcome: ReplyOutcome
    /// The log index where a write applied, or the read index of a read; 0 if none is known.
    public var index: LogIndex

    /// An answer to `(client, seq)`.
    public init(client: ClientID, seq: UInt64, outcome: ReplyOutcome, index: LogIndex = 0) {
        self.client = client
        self.seq = seq
        self.outcome = outcome
        self.index = index
    }
}

extension ClientReply: CustomStringConvertible {
    public var description: String {
        index == 0 ? "c\(client)#\(seq) \(outcome)" : "c\(client)#\(seq) \(outcome) @\(index)"
    }
}
