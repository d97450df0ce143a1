import RaftCore

/// A committed command that `KVStore.apply(_:)` handled, and its result.
public struct AppliedCommand: Sendable, Hashable {
    /// The log index of the entry.
    public var index: LogIndex
    /// The term of the entry.
    public var term: Term
    /// The decoded command.
    public var command: Command
    /// The result: computed now, or the session's cached result when `duplicate`.
    public var result: KVResult
    /// Whether this `(client, seq)` had already applied, so the store did not change.
    public var duplicate: Bool
    /// Whether the command's session has expired (or never could start): the store did not change,
    /// `result` means nothing, and the client is answered `sessionExpired`.
    public var expired: Bool

    public init(index: LogIndex, term: Term, command: Command, result: KVResult, duplicate: Bool, expired: Bool = false) {
        self.index = index
        self.term = term
        self.command = command
        self.result = result
        self.duplicate = duplicate
        self.expired = expired
    }

    /// A value for a variable that `KVStore.apply(_:into:)` writes over (an empty get of client 0 at
    /// index 0; nothing applies there).
    public static let placeholder = AppliedCommand(index: 0, term: 0, command: Command(client: 0, seq: 0, op: .get(key: "")),
                                                   result: .ok, duplicate: false)
}
