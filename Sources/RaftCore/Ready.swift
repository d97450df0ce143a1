/// A ReadIndex request that a quorum has confirmed: once the state machine has applied
/// `index`, a read tagged `context` may be answered with linearizable results.
public struct ReadState: Sendable, Hashable {
    public var index: LogIndex
    public var context: ReadContext
}

/// Everything the core asks its driver to do, in order:
/// 1. persist `snapshot` (see `installsSnapshot` for what it does to the stored log), then
///    `hardState` and `entries` (entries replace any stored entries from `entries.first!.index` on),
///    syncing first if `mustSync`;
/// 2. send `messages`;
/// 3. load `snapshotToApply` into the state machine, apply `committedEntries` and serve `readStates`
///    whose index is applied; answer `droppedReads` with a redirect;
/// 4. call `RaftNode.advance(_:)` with this value.
public struct Ready: Sendable {
    /// Set when role or leader changed since the last Ready.
    public var softState: SoftState?
    /// Set when term, vote or commit changed since the last Ready.
    public var hardState: HardState?
    /// A snapshot to store, before `entries`: one received from the leader (`installsSnapshot`), or
    /// this node's own, made by `RaftNode.compact(to:data:)`.
    public var snapshot: Snapshot?
    /// Whether `snapshot` came from the leader and replaces this node's state: it takes the place of
    /// the whole stored log (every stored entry goes; the log starts after it), and the state machine
    /// loads it before applying `committedEntries`. When false, `snapshot` is this node's own: the
    /// stored entries up to its index go and the ones after it stay, and the state machine already
    /// holds that state.
    public var installsSnapshot: Bool = false
    /// Entries to append to stable storage.
    public var entries: [Entry] = []
    /// Whether storage must be synced before `messages` go out (a vote, a new entry or a snapshot is involved).
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

    /// The snapshot the state machine must load (after persisting it), before `committedEntries`:
    /// `snapshot` when it came from the leader, else nil.
    public var snapshotToApply: Snapshot? { installsSnapshot ? snapshot : nil }

    /// Whether this Ready asks only to store `entries` and send `messages`: no role, term, vote or
    /// commit change, no snapshot, nothing to apply, no read confirmed or dropped. A driver has
    /// nothing to apply or answer for it.
    public var changesOnlyLogAndMessages: Bool {
        softState == nil && hardState == nil && snapshot == nil && committedEntries.isEmpty
            && readStates.isEmpty && droppedReads.isEmpty
    }

    /// Whether there is nothing to do.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && snapshot == nil && entries.isEmpty && messages.isEmpty
            && committedEntries.isEmpty && readStates.isEmpty && droppedReads.isEmpty
    }
}
