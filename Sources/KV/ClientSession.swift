import RaftCore

/// What the store remembers about one client: where its session started, its latest applied
/// request and that request's result, so that a retry is answered from here instead of being
/// applied a second time, and when the session was last used, so that it can expire.
public struct ClientSession: Sendable, Hashable {
    /// The index the session starts from (the requests' `session`).
    public var start: LogIndex
    /// The highest seq of this client applied so far.
    public var seq: UInt64
    /// The result of request `seq`.
    public var result: KVResult
    /// The log index where request `seq` applied.
    public var index: LogIndex
    /// The last log index at which a command of this session applied (a repeat included).
    public var lastActive: LogIndex

    public init(start: LogIndex = 0, seq: UInt64, result: KVResult, index: LogIndex, lastActive: LogIndex? = nil) {
        self.start = start
        self.seq = seq
        self.result = result
        self.index = index
        self.lastActive = lastActive ?? index
    }
}
