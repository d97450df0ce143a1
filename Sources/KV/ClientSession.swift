import RaftCore

/// What the store remembers about one client: its latest applied request and that request's result,
/// so that a retry is answered from here instead of being applied a second time.
public struct ClientSession: Sendable, Hashable {
    /// The highest seq of this client applied so far.
    public var seq: UInt64
    /// The result of request `seq`.
    public var result: KVResult
    /// The log index where request `seq` applied.
    public var index: LogIndex

    public init(seq: UInt64, result: KVResult, index: LogIndex) {
        self.seq = seq
        self.result = result
        self.index = index
    }
}
