/// Why the core refused a request or a configuration.
public enum RaftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only the leader accepts proposals and reads; `leader` is the last known leader or 0.
    case notLeader(leader: NodeID)
    /// A proposal larger than the per-message byte cap.
    case proposalTooLarge(bytes: Int, limit: Int)
    /// The configuration is unusable; the text says why.
    case invalidConfig(String)
    /// A snapshot the application offered cannot replace the log (it covers entries not applied yet).
    case compactionRefused(String)
    /// A membership change the leader cannot make now or at all; the text says why.
    case membershipChangeRefused(String)
    /// A leadership transfer that cannot start; the text says why.
    case transferRefused(String)
    /// This leader is handing leadership to `to` and accepts no proposals meanwhile.
    case transferInProgress(to: NodeID)

    public var description: String {
        switch self {
        case .notLeader(let l): return l == noNode ? "not the leader (leader unknown)" : "not the leader (leader is \(l))"
        case .proposalTooLarge(let b, let l): return "proposal of \(b) bytes exceeds the \(l)-byte limit"
        case .invalidConfig(let why): return "invalid configuration: \(why)"
        case .compactionRefused(let why): return "compaction refused: \(why)"
        case .membershipChangeRefused(let why): return "membership change refused: \(why)"
        case .transferRefused(let why): return "leadership transfer refused: \(why)"
        case .transferInProgress(let to): return "leadership is being transferred to node \(to); try again shortly"
        }
    }
}
