import RaftCore

/// Identifies a client of the key-value store. Each client numbers its requests with `seq`.
public typealias ClientID = UInt64

/// One request from a client: the operation and the client's sequence number for it.
///
/// A client retries a request with the same `(client, seq)`; client sessions in `KVStore`
/// make a retried write take effect once.
public struct ClientRequest: Sendable, Hashable {
    /// Who sent the request.
    public var client: ClientID
    /// The client's number for this request; a client's writes must use increasing numbers.
    public var seq: UInt64
    /// What to do.
    public var op: KVOperation

    /// A request `op` numbered `seq` from `client`.
    public init(client: ClientID, seq: UInt64, op: KVOperation) {
        self.client = client
        self.seq = seq
        self.op = op
    }
}

extension ClientRequest: CustomStringConvertible {
    public var description: String { "c\(client)#\(seq) \(op)" }
}
