import RaftCore

/// How a server answered a request.
public enum ReplyOutcome: Sendable, Hashable {
    /// The operation took effect (writes: committed and applied; reads: linearizable).
    case done(KVResult)
    /// This node does not lead (or stopped leading before the request finished); `leader` is its
    /// best guess at the leader, or 0 if unknown. The client retries with the same seq.
    case notLeader(leader: NodeID)
    /// The request cannot succeed here; the text says why (e.g. a proposal too large).
    case failed(String)
    /// The write's session (`session`, as the request gave it) has expired, or the client has none
    /// yet: it is not applied, now or later. The reply's `index` is where a new session may start
    /// from. A write sent with `ClientRequest.noSession` was never proposed and can be sent again in
    /// a new session; any other may have applied before its session expired.
    case sessionExpired(session: LogIndex)
}

extension ReplyOutcome: CustomStringConvertible {
    public var description: String {
        switch self {
        case .done(let r): return r.description
        case .notLeader(let l): return l == noNode ? "not leader (leader unknown)" : "not leader (leader \(l))"
        case .failed(let why): return "failed: \(why)"
        case .sessionExpired: return "session expired"
        }
    }
}
