extension Message.Kind {
    /// The word the scenario language uses for this kind (`hold append 1 -> 2`): `prevote`,
    /// `prevote-response`, `vote`, `vote-response`, `append`, `append-response`, `heartbeat`,
    /// `heartbeat-response`, `snapshot`, `snapshot-response`, `timeout-now`.
    public var word: String {
        switch self {
        case .preVote: "prevote"
        case .preVoteResponse: "prevote-response"
        case .vote: "vote"
        case .voteResponse: "vote-response"
        case .append: "append"
        case .appendResponse: "append-response"
        case .heartbeat: "heartbeat"
        case .heartbeatResponse: "heartbeat-response"
        case .snapshot: "snapshot"
        case .snapshotResponse: "snapshot-response"
        case .timeoutNow: "timeout-now"
        }
    }

    /// The kind a word names (see `word`).
    public init?(word: String) {
        guard let kind = Self.allCases.first(where: { $0.word == word }) else { return nil }
        self = kind
    }
}
