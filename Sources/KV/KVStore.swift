import RaftCore

/// The replicated state machine: a map from keys to values, plus client sessions that make
/// retried writes take effect exactly once. Every replica applies the same committed entries in
/// the same order and so reaches the same state (compare with `digest`).
public struct KVStore: Sendable {
    private var data: [String: String] = [:]
    private var sessions: [ClientID: ClientSession] = [:]

    /// The index of the last entry applied (of any kind); 0 before the first.
    public private(set) var appliedIndex: LogIndex = 0
    /// Normal entries whose data did not decode as a `Command`; they were skipped.
    public private(set) var undecodableEntries = 0
    /// Normal entries ignored because their client had already applied a later seq.
    public private(set) var staleEntries = 0

    /// An empty store.
    public init() {}

    /// The value of `key`, or nil.
    public func get(_ key: String) -> String? { data[key] }

    /// Apply one committed entry. `appliedIndex` becomes `entry.index` (it never goes back).
    ///
    /// - Noop and config entries only advance `appliedIndex` and return nil.
    /// - A normal entry that does not decode is skipped, counted in `undecodableEntries`, and returns nil.
    /// - Client sessions give exactly-once writes: if the command's seq equals the session's last
    ///   seq, the store does not change and the cached result is returned with `duplicate` set;
    ///   if it is older, the entry is ignored (counted in `staleEntries`) and nil is returned.
    /// - Otherwise the operation runs (put/delete/append give `.ok`, a get in the log gives `.value`,
    ///   a cas gives `.ok` if the key held `from`, else `.casFailed` with what it held), and the
    ///   session records `(seq, result, index)`.
    public mutating func apply(_ entry: Entry) -> AppliedCommand? {
        appliedIndex = max(appliedIndex, entry.index)
        guard entry.kind == .normal else { return nil }
        let command: Command
        do {
            command = try Command.decode(entry.data)
        } catch {
            undecodableEntries += 1
            return nil
        }
        if let session = sessions[command.client], command.seq <= session.seq {
            if command.seq == session.seq {
                return AppliedCommand(index: entry.index, term: entry.term, command: command,
                                      result: session.result, duplicate: true)
            }
            staleEntries += 1
            return nil
        }
        let result: KVResult
        switch command.op {
        case .put(let key, let value):
            data[key] = value
            result = .ok
        case .delete(let key):
            data[key] = nil
            result = .ok
        case .get(let key):
            result = .value(data[key])
        case .cas(let key, let from, let to):
            if data[key] == from {
                data[key] = to
                result = .ok
            } else {
                result = .casFailed(current: data[key])
            }
        case .append(let key, let value):
            data[key, default: ""] += value
            result = .ok
        }
        sessions[command.client] = ClientSession(seq: command.seq, result: result, index: entry.index)
        return AppliedCommand(index: entry.index, term: entry.term, command: command,
                              result: result, duplicate: false)
    }

    /// The session of `client`, if any of its commands has applied.
    public func session(client: ClientID) -> ClientSession? { sessions[client] }

    /// The cached result if `seq` is the last applied seq of `client`, else nil.
    public func sessionResult(client: ClientID, seq: UInt64) -> KVResult? {
        guard let s = sessions[client], s.seq == seq else { return nil }
        return s.result
    }

    /// The highest seq of `client` applied so far; 0 if none.
    public func lastSeq(client: ClientID) -> UInt64 { sessions[client]?.seq ?? 0 }

    /// The number of keys.
    public var count: Int { data.count }

    /// All keys, sorted.
    public var keys: [String] { data.keys.sorted() }

    /// All (key, value) pairs, sorted by key.
    public var items: [(key: String, value: String)] {
        data.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// The clients that have a session, sorted.
    public var clients: [ClientID] { sessions.keys.sorted() }

    /// FNV-1a (64-bit) over the sorted (key, value) pairs and the sessions sorted by client.
    /// Equal states give equal digests; `appliedIndex` and the counters are not included.
    public var digest: UInt64 {
        var h = FNV1a()
        h.u64(UInt64(data.count))
        for (key, value) in items {
            h.string(key)
            h.string(value)
        }
        h.u64(UInt64(sessions.count))
        for client in clients {
            let s = sessions[client]!
            h.u64(client)
            h.u64(s.seq)
            h.u64(s.index)
            switch s.result {
            case .ok:
                h.byte(0)
            case .value(nil):
                h.byte(1)
            case .value(let v?):
                h.byte(2)
                h.string(v)
            case .casFailed(nil):
                h.byte(3)
            case .casFailed(let v?):
                h.byte(4)
                h.string(v)
            case .casMismatch:
                h.byte(5)
            }
        }
        return h.value
    }
}
