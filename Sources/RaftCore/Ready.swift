/// A ReadIndex request that a quorum has confirmed: once the state machine has applied
/// `index`, a read tagged `context` may be answered with linearizable results.
public struct ReadState: Sendable, Hashable {
    public var index: LogIndex
    public var context: ReadContext
}

/// Everything the core asks its driver to do, in order:
/// 1. persist `hardState` and `entries` (entries replace any stored entries from `entries.first!.index` on),
///    syncing first if `mustSync`;
/// 2. send `messages`;
/// 3. apply `committedEntries` and serve `readStates` whose index is applied; answer `droppedReads` with a redirect;
/// 4. call `RaftNode.advance(_:)` with this value.
public struct Ready: Sendable {
    /// Set when role or leader changed since the last Ready.
    public var softState: SoftState?
    /// Set when term, vote or commit changed since the last Ready.
    public var hardState: HardState?
    /// Entries to append to stable storage.
    public var entries: [Entry] = []
    /// Whether storage must be synced before `messages` go out (a vote or a new entry is involved).
    public var mustSync: Bool = false
    /// Messages to send, after persisting.
    public var messages: [Message] = []
    /// Entries committed and not yet handed out, in index order.
    public var committedEntries: [Entry] = []
    /// Confirmed ReadIndex requests.
    public var readStates: [ReadState] = []
    /// ReadIndex requests abandoned because this node stopped leading.
    public var droppedReads: [ReadContext] = []

    public init() {}

    /// Whether there is nothing to do.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && entries.isEmpty && messages.isEmpty
            && committedEntries.isEmpty && readStates.isEmpty && droppedReads.isEmpty
    }
}
