import RaftCore

/// Identifies a client of the key-value store. Each client numbers its requests with `seq`.
public typealias ClientID = UInt64

/// One request from a client: the operation, the client's sequence number for it, and where the
/// client's session started.
///
/// A client retries a request with the same `(client, seq, session)`; client sessions in `KVStore`
/// make a retried write take effect once, and refuse it once the session has expired (see
/// `KVStore` for the rule).
public struct ClientRequest: Sendable, Hashable {
    /// Who sent the request.
    public var client: ClientID
    /// The client's number for this request; a client's writes must use increasing numbers.
    public var seq: UInt64
    /// The log index the client's session starts from, as a leader gave it (a `sessionExpired`
    /// answer carries one), or `ClientRequest.noSession`: a server never proposes such a write, it
    /// answers `sessionExpired` with an index to start from. Reads ignore it.
    public var session: LogIndex
    /// What to do.
    public var op: KVOperation
    /// A membership change or leadership transfer to ask of the leader instead of `op` (which is
    /// then ignored); nil for a key-value request.
    public var admin: AdminOperation?

    /// A request `op` numbered `seq` from `client`, in the session that started from index `session`
    /// (0, the default, is the session of a client that starts with the cluster).
    public init(client: ClientID, seq: UInt64, session: LogIndex = 0, op: KVOperation) {
        self.client = client
        self.seq = seq
        self.session = session
        self.op = op
        self.admin = nil
    }

    /// An admin request `admin` numbered `seq` from `client`.
    public init(client: ClientID, seq: UInt64, admin: AdminOperation) {
        self.init(client: client, seq: seq, session: 0, op: .get(key: ""))
        self.admin = admin
    }

    /// Whether the request only reads: a get (an admin request is not one).
    public var isRead: Bool { admin == nil && op.isRead }

    /// The `session` of a client that has none yet.
    public static let noSession: LogIndex = .max
}

extension ClientRequest: CustomStringConvertible {
    public var description: String { "c\(client)#\(seq) " + (admin.map { "admin: \($0)" } ?? "\(op)") }
}
