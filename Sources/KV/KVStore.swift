import RaftCore

/// The replicated state machine: a map from keys to values, plus client sessions that make
/// retried writes take effect exactly once. Every replica applies the same committed entries in
/// the same order and so reaches the same state (compare with `digest`), and a snapshot
/// (`snapshot()`, `init(snapshot:sessionTTL:)`) carries all of it, sessions included.
///
/// Sessions, and how they expire. A client's writes carry the index its session starts from
/// (`Command.session`, `ClientRequest.session`), which a leader gives out: its commit index, so no
/// later than any entry the client's writes will occupy. The rule, applied to the entry at index
/// `j` of client `c` with session start `s`, is the same on every replica:
/// - if `c` has a session that starts at `s`, the usual exactly-once rule holds: a seq already
///   applied gets its cached result (or is ignored if older), a newer one applies;
/// - otherwise a session starting at `s` opens (replacing any other of `c`) if `s` is fresh:
///   `s <= j` and `j - s <= sessionTTL`; the write applies;
/// - otherwise the session has expired (or never could start): nothing applies, and the client is
///   answered `sessionExpired` (`AppliedCommand.expired`).
/// A session expires once `sessionTTL` entries have applied since its last command
/// (`ClientSession.lastActive`): it is removed before the entry at each index that is a multiple
/// of `sessionSweepInterval`, so that the table only holds clients active lately.
///
/// Why a retried write of an expired session never applies twice: an expired session's last
/// command, at or after its first write, applied at some `a >= s`, and it was removed at an index
/// above `a + sessionTTL`; any later entry `j` of that session therefore has `j - s > sessionTTL`:
/// it cannot open the session again. A new session needs a fresh start index from a leader.
public struct KVStore: Sendable {
    /// The keys and their values. Change it only through `set(_:to:)`, which keeps `sums` in step.
    private(set) var data: [String: String] = [:]
    /// The client sessions. Change them only through `setSession(_:for:)`, `expireSessions(at:)` and
    /// `apply(_:)`, which keep `sums` in step.
    private(set) var sessions: [ClientID: ClientSession] = [:]
    /// The running sums behind `digest`.
    private(set) var sums = StateDigest()

    /// Sessions idle for more than this many applied entries expire (see the type's description).
    /// Every replica of a cluster must use the same value.
    public let sessionTTL: LogIndex
    /// The index of the last entry applied (of any kind); 0 before the first.
    public internal(set) var appliedIndex: LogIndex = 0
    /// Normal entries whose data did not decode as a `Command`; they were skipped.
    public internal(set) var undecodableEntries = 0
    /// Normal entries ignored because their client had already applied a later seq.
    public internal(set) var staleEntries = 0
    /// Normal entries refused because their session had expired (or could not start).
    public internal(set) var expiredEntries = 0
    /// Sessions removed by expiry so far.
    public internal(set) var expiredSessions = 0

    /// The default `sessionTTL`: a client may stay idle while this many entries apply.
    public static let defaultSessionTTL: LogIndex = 100_000

    /// An empty store whose sessions expire after `sessionTTL` idle entries (at least 1).
    public init(sessionTTL: LogIndex = KVStore.defaultSessionTTL) {
        self.sessionTTL = max(1, sessionTTL)
    }

    /// Expired sessions are removed before applying the entry at each multiple of this index.
    public var sessionSweepInterval: LogIndex { max(1, sessionTTL / 16) }

    /// The value of `key`, or nil.
    public func get(_ key: String) -> String? { data[key] }

    /// Apply one committed entry. `appliedIndex` becomes `entry.index` (it never goes back).
    ///
    /// - Before anything else, at a multiple of `sessionSweepInterval`, expired sessions are removed.
    /// - Noop and config entries only advance `appliedIndex` and return nil.
    /// - A normal entry that does not decode is skipped, counted in `undecodableEntries`, and returns nil.
    /// - A command whose session has expired or cannot start (see the type's description) changes
    ///   nothing, is counted in `expiredEntries`, and returns with `expired` set.
    /// - Client sessions give exactly-once writes: if the command's seq equals the session's last
    ///   seq, the store does not change and the cached result is returned with `duplicate` set;
    ///   if it is older, the entry is ignored (counted in `staleEntries`) and nil is returned.
    /// - Otherwise the operation runs (put/delete/append give `.ok`, a get in the log gives `.value`,
    ///   a cas gives `.ok` if the key held `from`, else `.casFailed` with what it held), and the
    ///   session records `(seq, result, index)`.
    public mutating func apply(_ entry: Entry) -> AppliedCommand? {
        var applied = AppliedCommand.placeholder
        return apply(entry, into: &applied) ? applied : nil
    }

    /// `apply(_:)` that writes the command it handled into `applied` (left as it was when it returns
    /// false: nothing handled) instead of returning an optional. A driver applying entry after entry
    /// reuses one `applied`: an `AppliedCommand?` bound and dropped at every entry was destroyed
    /// through `Optional`'s generic value witness, the payload's enums being too intricate for an
    /// inline destroy (callgrind of `raftsh bench sim`: about 120 instructions an entry).
    public mutating func apply(_ entry: Entry, into applied: inout AppliedCommand) -> Bool {
        if entry.index > appliedIndex, entry.index % sessionSweepInterval == 0 { expireSessions(at: entry.index) }
        appliedIndex = max(appliedIndex, entry.index)
        guard entry.kind == .normal else { return false }
        let command: Command
        do {
            command = try Command.decode(entry.data)
        } catch {
            undecodableEntries += 1
            return false
        }
        // The client's session found once and changed in place (a lookup, a second one to write it
        // back, and the `ClientSession?` between them, destroyed through `Optional`'s generic value
        // witness, cost about 300 instructions an entry; callgrind of `raftsh bench sim`).
        let known = sessions.index(forKey: command.client)
        if let i = known, case let current = sessions.values[i], current.start == command.session {
            if command.seq <= current.seq {
                // (A newer command replaces the whole session below, `lastActive` included.)
                var touched = current
                touched.lastActive = entry.index
                replaceSession(at: i, of: command.client, with: touched)
                if command.seq == touched.seq {
                    applied = AppliedCommand(index: entry.index, term: entry.term, command: command,
                                             result: touched.result, duplicate: true)
                    return true
                }
                staleEntries += 1
                return false
            }
        } else if !isFresh(session: command.session, at: entry.index) {
            expiredEntries += 1
            applied = AppliedCommand(index: entry.index, term: entry.term, command: command, result: .ok,
                                     duplicate: false, expired: true)
            return true
        }
        let result: KVResult
        switch command.op {
        case .put(let key, let value):
            set(key, to: value)
            result = .ok
        case .delete(let key):
            set(key, to: nil)
            result = .ok
        case .get(let key):
            result = .value(data[key])
        case .cas(let key, let from, let to):
            if data[key] == from {
                set(key, to: to)
                result = .ok
            } else {
                result = .casFailed(current: data[key])
            }
        case .append(let key, let value):
            set(key, to: (data[key] ?? "") + value)
            result = .ok
        }
        let session = ClientSession(start: command.session, seq: command.seq, result: result, index: entry.index)
        if let i = known {  // (still its position: only `data` changed since)
            replaceSession(at: i, of: command.client, with: session)
        } else {
            sums.add(client: command.client, session: session)
            sessions[command.client] = session
        }
        applied = AppliedCommand(index: entry.index, term: entry.term, command: consume command,
                                 result: result, duplicate: false)
        return true
    }

    /// Whether a session starting from `start` may open at index `index`.
    public func isFresh(session start: LogIndex, at index: LogIndex) -> Bool {
        start <= index && index - start <= sessionTTL
    }

    /// Removes the sessions idle for more than `sessionTTL` entries before `index`.
    private mutating func expireSessions(at index: LogIndex) {
        let before = sessions.count
        sessions = sessions.filter { client, session in
            if index - min(index, session.lastActive) <= sessionTTL { return true }
            sums.replace(client: client, old: session, new: nil)
            return false
        }
        expiredSessions += before - sessions.count
    }

    /// `key` holds `value` from now on (nil: removed).
    mutating func set(_ key: String, to value: String?) {
        let old = if let value { data.updateValue(value, forKey: key) } else { data.removeValue(forKey: key) }
        sums.replace(key: key, old: old, new: value)
    }

    /// Room for `count` keys (before a snapshot's are loaded).
    mutating func reserveKeys(_ count: Int) { data.reserveCapacity(count) }

    /// `setSession(_:for:)` for a client whose session is at `i` in `sessions`: no lookup.
    @inline(__always)
    private mutating func replaceSession(at i: [ClientID: ClientSession].Index, of client: ClientID,
                                         with session: ClientSession) {
        sums.remove(client: client, session: sessions.values[i])
        sums.add(client: client, session: session)
        sessions.values[i] = session
    }

    /// `client`'s session is `session` from now on.
    mutating func setSession(_ session: ClientSession, for client: ClientID) {
        sums.replace(client: client, old: sessions.updateValue(session, forKey: client), new: session)
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

    /// A 64-bit digest of the keys, their values and the sessions (all their fields), kept up to
    /// date as entries apply (`StateDigest`), so reading it costs the same for ten keys or ten
    /// million. Equal states give equal digests whatever order they were reached in;
    /// `appliedIndex` and the counters are not included.
    public var digest: UInt64 { sums.value(keys: data.count, sessions: sessions.count) }

    /// Writes the keys (sorted) and the sessions (by client, every field): the part of the state
    /// that `digest` hashes and `snapshot()` stores, in one order for both.
    func encodeState(into e: inout some StateEncoder) {
        e.count(data.count)
        for (key, value) in items {
            e.string(key)
            e.string(value)
        }
        e.count(sessions.count)
        for client in clients {
            let s = sessions[client]!
            for field in [client, s.start, s.seq, s.index, s.lastActive] { e.u64(field) }
            let (tag, value) = s.result.tagged
            e.byte(tag)
            if let value { e.string(value) }
        }
    }
}
