import KV
import RaftCore
import Testing

/// Client sessions that expire by the index rule of `KVStore`: a session opens only from a fresh
/// start index, expires after `sessionTTL` idle entries, and a retried write of an expired session
/// never applies a second time.
@Suite("KVStore sessions")
struct SessionExpiryTests {
    private func command(_ client: ClientID, _ seq: UInt64, session: LogIndex, _ op: KVOperation) -> Command {
        Command(client: client, seq: seq, session: session, op: op)
    }

    @Test("a session opens only from a start index at most sessionTTL entries old, and not in the future")
    func freshness() {
        let ttl: LogIndex = 10
        for (start, index, opens) in [(LogIndex(5), LogIndex(15), true), (5, 16, false), (15, 15, true), (16, 15, false),
                                      (0, 10, true), (0, 11, false)] {
            var store = KVStore(sessionTTL: ttl)
            let a = store.apply(entry(index, command(1, 1, session: start, .put(key: "x", value: "1"))))
            #expect(a?.expired == !opens, "start \(start) at index \(index)")
            #expect(store.get("x") == (opens ? "1" : nil))
            #expect(store.isFresh(session: start, at: index) == opens)
            #expect(store.expiredEntries == (opens ? 0 : 1))
        }
        #expect(!KVStore().isFresh(session: ClientRequest.noSession, at: 100))
    }

    @Test("an idle session expires once sessionTTL entries applied since its last command")
    func expiry() throws {
        var store = KVStore(sessionTTL: 16)  // swept at every index
        #expect(store.sessionSweepInterval == 1)
        _ = store.apply(entry(1, command(1, 1, session: 0, .put(key: "x", value: "1"))))
        for i: LogIndex in 2...17 {
            _ = store.apply(entry(i, command(2, i, session: 0, .put(key: "y", value: "\(i)"))))
        }
        #expect(store.session(client: 1) != nil, "16 entries after its last command: not yet")
        _ = store.apply(entry(18, command(2, 18, session: 0, .put(key: "y", value: "18"))))
        #expect(store.session(client: 1) == nil)
        #expect(store.session(client: 2)?.lastActive == 18)
        #expect(store.expiredSessions == 1)
        #expect(store.clients == [2])

        // A longer TTL sweeps at multiples of TTL/16 only: the session lives until the next one.
        var coarse = KVStore(sessionTTL: 64)
        #expect(coarse.sessionSweepInterval == 4)
        _ = coarse.apply(entry(1, command(1, 1, session: 0, .put(key: "x", value: "1"))))
        for i: LogIndex in 2...66 { _ = coarse.apply(Entry(term: 1, index: i, kind: .noop)) }
        #expect(coarse.session(client: 1) != nil, "idle for 65 entries, but 66 is not a sweep point")
        _ = coarse.apply(Entry(term: 1, index: 67, kind: .noop))
        _ = coarse.apply(Entry(term: 1, index: 68, kind: .noop))
        #expect(coarse.session(client: 1) == nil)
    }

    @Test("a retried write of an expired session never applies twice, and later writes of it are refused")
    func retriedWriteOfAnExpiredSession() throws {
        var store = KVStore(sessionTTL: 16)
        let append = command(1, 1, session: 0, .append(key: "log", value: "a"))
        #expect(store.apply(entry(1, append))?.result == .ok)
        // The client's answer was lost; it retries while the session is alive: a repeat.
        #expect(store.apply(entry(5, append))?.duplicate == true)
        for i: LogIndex in 6...30 { _ = store.apply(Entry(term: 1, index: i, kind: .noop)) }
        #expect(store.session(client: 1) == nil)
        // The same write reaches the log again after the session expired: refused, not applied.
        let applied = store.apply(entry(31, append, term: 2))
        let late = try #require(applied)
        #expect(late.expired && !late.duplicate)
        #expect(store.get("log") == "a")
        // So is any later write of that session.
        #expect(store.apply(entry(32, command(1, 2, session: 0, .append(key: "log", value: "b"))))?.expired == true)
        #expect(store.get("log") == "a")
        #expect(store.expiredEntries == 2)
        #expect(store.session(client: 1) == nil, "a refused write does not open a session")
        // A new session from a fresh start index opens and applies.
        #expect(store.apply(entry(33, command(1, 3, session: 30, .append(key: "log", value: "c"))))?.result == .ok)
        #expect(store.get("log") == "ac")
        #expect(store.session(client: 1)?.start == 30)
    }

    @Test("a write of another session of the client never uses the current one's cache or numbering")
    func sessionsAreDistinct() throws {
        var store = KVStore(sessionTTL: 100)
        _ = store.apply(entry(1, command(1, 5, session: 0, .put(key: "x", value: "old"))))
        // A new session, numbering from 1 again, replaces the old one.
        #expect(store.apply(entry(2, command(1, 1, session: 2, .put(key: "x", value: "new"))))?.duplicate == false)
        #expect(store.session(client: 1)?.start == 2 && store.session(client: 1)?.seq == 1)
        #expect(store.get("x") == "new")
        #expect(store.staleEntries == 0)
    }

    @Test("repeats and stale writes keep a session alive")
    func activity() {
        var store = KVStore(sessionTTL: 16)
        _ = store.apply(entry(1, command(1, 2, session: 0, .put(key: "x", value: "1"))))
        _ = store.apply(entry(10, command(1, 2, session: 0, .put(key: "x", value: "1"))))  // repeat
        _ = store.apply(entry(20, command(1, 1, session: 0, .put(key: "x", value: "0"))))  // stale
        for i: LogIndex in 21...36 { _ = store.apply(Entry(term: 1, index: i, kind: .noop)) }
        #expect(store.session(client: 1)?.lastActive == 20)
        _ = store.apply(Entry(term: 1, index: 37, kind: .noop))
        #expect(store.session(client: 1) == nil)
        #expect(store.get("x") == "1")
    }
}
