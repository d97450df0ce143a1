import KV
import RaftCore
import Testing

@Suite("KVStore")
struct KVStoreTests {
    @Test("put, get and delete")
    func basicOperations() throws {
        var store = KVStore()
        #expect(store.get("x") == nil)
        #expect(store.count == 0)

        let aApplied = store.apply(entry(1, Command(client: 1, seq: 1, op: .put(key: "x", value: "1"))))
        let a = try #require(aApplied)
        #expect(a.result == .ok)
        #expect(a.duplicate == false)
        #expect(a.index == 1)
        #expect(store.get("x") == "1")

        _ = store.apply(entry(2, Command(client: 1, seq: 2, op: .put(key: "b", value: "2"))))
        _ = store.apply(entry(3, Command(client: 1, seq: 3, op: .put(key: "x", value: "3"))))
        #expect(store.get("x") == "3")
        #expect(store.keys == ["b", "x"])
        #expect(store.count == 2)

        let dApplied = store.apply(entry(4, Command(client: 1, seq: 4, op: .delete(key: "x"))))
        let d = try #require(dApplied)
        #expect(d.result == .ok)
        #expect(store.get("x") == nil)
        #expect(store.keys == ["b"])

        // Deleting an absent key is still ok.
        let d2Applied = store.apply(entry(5, Command(client: 2, seq: 1, op: .delete(key: "nope"))))
        let d2 = try #require(d2Applied)
        #expect(d2.result == .ok)

        // A get in the log reads.
        let gApplied = store.apply(entry(6, Command(client: 2, seq: 2, op: .get(key: "b"))))
        let g = try #require(gApplied)
        #expect(g.result == .value("2"))
        let g2Applied = store.apply(entry(7, Command(client: 2, seq: 3, op: .get(key: "x"))))
        let g2 = try #require(g2Applied)
        #expect(g2.result == .value(nil))
        #expect(store.appliedIndex == 7)
    }

    @Test("cas applies only on the expected value; append extends; both exactly once")
    func casAndAppend() throws {
        var store = KVStore()
        func apply(_ i: LogIndex, _ client: ClientID, _ seq: UInt64, _ op: KVOperation) -> AppliedCommand? {
            store.apply(entry(i, Command(client: client, seq: seq, op: op)))
        }
        // On an absent key a cas finds nothing.
        #expect(apply(1, 1, 1, .cas(key: "x", from: "1", to: "2"))?.result == .casFailed(current: nil))
        #expect(store.get("x") == nil)
        _ = apply(2, 1, 2, .put(key: "x", value: "1"))
        #expect(apply(3, 1, 3, .cas(key: "x", from: "1", to: "2"))?.result == .ok)
        #expect(store.get("x") == "2")
        #expect(apply(4, 1, 4, .cas(key: "x", from: "1", to: "3"))?.result == .casFailed(current: "2"))
        #expect(store.get("x") == "2")
        // A retried cas (same seq) answers from the session and does not apply again.
        let retry = try #require(apply(5, 1, 4, .cas(key: "x", from: "1", to: "3")))
        #expect(retry.duplicate && retry.result == .casFailed(current: "2"))
        // Append to an absent key starts from empty; a retried append applies once.
        #expect(apply(6, 2, 1, .append(key: "log", value: "a"))?.result == .ok)
        #expect(apply(7, 2, 2, .append(key: "log", value: "b"))?.result == .ok)
        #expect(apply(8, 2, 2, .append(key: "log", value: "b"))?.duplicate == true)
        #expect(store.get("log") == "ab")
        // The digest tells a failed cas's cached result from a successful one.
        var other = KVStore()
        for e in [entry(1, Command(client: 9, seq: 1, op: .cas(key: "y", from: "a", to: "b")))] { _ = other.apply(e) }
        var third = KVStore()
        _ = third.apply(entry(1, Command(client: 9, seq: 1, op: .get(key: "y"))))
        #expect(other.digest != third.digest)
    }

    @Test("noop and undecodable entries only advance appliedIndex")
    func noopAndGarbage() {
        var store = KVStore()
        #expect(store.apply(Entry(term: 1, index: 1, kind: .noop)) == nil)
        #expect(store.appliedIndex == 1)
        #expect(store.apply(Entry(term: 1, index: 2, kind: .normal, data: [9, 9, 9])) == nil)
        #expect(store.appliedIndex == 2)
        #expect(store.undecodableEntries == 1)
        #expect(store.apply(Entry(term: 1, index: 3, kind: .normal, data: [])) == nil)
        #expect(store.undecodableEntries == 2)
        #expect(store.count == 0)
        #expect(store.digest == KVStore().digest)
    }

    @Test("a write applies once per (client, seq); a repeat gets the cached result; an older seq is ignored")
    func exactlyOnce() throws {
        var store = KVStore()
        let first = Command(client: 7, seq: 1, op: .put(key: "x", value: "a"))
        _ = store.apply(entry(1, first))
        // Another client overwrites x.
        _ = store.apply(entry(2, Command(client: 8, seq: 1, op: .put(key: "x", value: "b"))))
        let itemsBefore = store.items.map { "\($0.key)=\($0.value)" }

        // The retried first write reaches the log again: it must not overwrite "b".
        let againApplied = store.apply(entry(3, first, term: 2))
        let again = try #require(againApplied)
        #expect(again.duplicate)
        #expect(again.result == .ok)
        #expect(again.command == first)
        #expect(again.index == 3)
        #expect(again.term == 2)
        #expect(store.get("x") == "b")
        #expect(store.items.map { "\($0.key)=\($0.value)" } == itemsBefore)
        #expect(store.session(client: 7)?.lastActive == 3, "a repeat keeps the session alive")
        #expect(store.appliedIndex == 3)
        #expect(store.session(client: 7)?.index == 1)

        // A cached get result is returned as it was, not re-read.
        _ = store.apply(entry(4, Command(client: 9, seq: 5, op: .get(key: "x"))))
        _ = store.apply(entry(5, Command(client: 8, seq: 2, op: .put(key: "x", value: "c"))))
        let cachedGetApplied = store.apply(entry(6, Command(client: 9, seq: 5, op: .get(key: "x"))))
        let cachedGet = try #require(cachedGetApplied)
        #expect(cachedGet.duplicate)
        #expect(cachedGet.result == .value("b"))

        // Client 7 moves on to seq 2; then a stale copy of seq 1 (here a delete) is ignored.
        _ = store.apply(entry(7, Command(client: 7, seq: 2, op: .put(key: "y", value: "1"))))
        #expect(store.lastSeq(client: 7) == 2)
        let stale = store.apply(entry(8, Command(client: 7, seq: 1, op: .delete(key: "y"))))
        #expect(stale == nil)
        #expect(store.get("y") == "1")
        #expect(store.staleEntries == 1)
        #expect(store.appliedIndex == 8)
        #expect(store.lastSeq(client: 7) == 2)

        #expect(store.sessionResult(client: 7, seq: 2) == .ok)
        #expect(store.sessionResult(client: 7, seq: 1) == nil)
        #expect(store.sessionResult(client: 9, seq: 5) == .value("b"))
        #expect(store.sessionResult(client: 99, seq: 0) == nil)
        #expect(store.lastSeq(client: 99) == 0)
        #expect(store.clients == [7, 8, 9])
    }

    @Test("seq 0 is a valid first request")
    func seqZero() {
        var store = KVStore()
        let applied = store.apply(entry(1, Command(client: 1, seq: 0, op: .put(key: "k", value: "v"))))
        #expect(applied?.duplicate == false)
        #expect(store.get("k") == "v")
        #expect(store.apply(entry(2, Command(client: 1, seq: 0, op: .put(key: "k", value: "w"))))?.duplicate == true)
        #expect(store.get("k") == "v")
    }

    @Test("equal states have equal digests whatever the order of insertion")
    func digestEqual() {
        var forward = KVStore(), backward = KVStore()
        let entries = (1...60).map { i in
            entry(LogIndex(i), Command(client: ClientID(i), seq: 1, op: .put(key: "key\(i)", value: "v\(i * 7)")))
        }
        for e in entries { _ = forward.apply(e) }
        for e in entries.reversed() { _ = backward.apply(e) }
        #expect(forward.keys == backward.keys)
        #expect(forward.digest == backward.digest)
        #expect(KVStore().digest == KVStore().digest)
    }

    @Test("different states have different digests")
    func digestDiffers() {
        func store(_ commands: [Command]) -> KVStore {
            var s = KVStore()
            for (i, c) in commands.enumerated() { _ = s.apply(entry(LogIndex(i + 1), c)) }
            return s
        }
        let base = store([Command(client: 1, seq: 1, op: .put(key: "ab", value: "c"))])
        let variants = [
            store([Command(client: 1, seq: 1, op: .put(key: "a", value: "bc"))]),   // same bytes, other split
            store([Command(client: 1, seq: 1, op: .put(key: "ab", value: "d"))]),   // other value
            store([Command(client: 1, seq: 1, op: .put(key: "zz", value: "c"))]),   // other key
            store([Command(client: 1, seq: 2, op: .put(key: "ab", value: "c"))]),   // other session seq
            store([Command(client: 2, seq: 1, op: .put(key: "ab", value: "c"))]),   // other client
            store([Command(client: 1, seq: 1, op: .put(key: "ab", value: "c")),
                   Command(client: 1, seq: 2, op: .delete(key: "zz"))]),             // only the session moved
            store([Command(client: 1, seq: 1, op: .get(key: "ab"))]),                // no data, a session
            KVStore(),
        ]
        var digests = Set([base.digest])
        for v in variants { digests.insert(v.digest) }
        #expect(digests.count == variants.count + 1)
    }

    @Test("the running digest equals the digest of the same state loaded from a snapshot, after every entry")
    func runningDigestMatchesRebuilt() throws {
        // A small session lifetime so that sessions also expire along the way.
        var store = KVStore(sessionTTL: 32)
        var rng = SplitMix(seed: 7)
        var seqs: [ClientID: UInt64] = [:]
        let keys = ["a", "b", "c", "a longer key of more than eight bytes", "ключ"]
        for index in 1...600 {
            let client = ClientID(rng.next() % 6 + 1)
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            let value = String(repeating: "v", count: Int(rng.next() % 12)) + "\(index)"
            let op: KVOperation = switch rng.next() % 5 {
            case 0: .put(key: key, value: value)
            case 1: .delete(key: key)
            case 2: .append(key: key, value: value)
            case 3: .cas(key: key, from: "x", to: value)
            default: .get(key: key)
            }
            // Mostly the next seq; sometimes a repeat (answered from the session) or a stale one.
            let last = seqs[client] ?? 0
            let seq = switch rng.next() % 8 { case 0: last; case 1: last / 2; default: last + 1 }
            seqs[client] = max(last, seq)
            // Sessions start every 16 entries, so that some commands find theirs and some open one.
            let session = LogIndex(max(1, index / 16 * 16))
            _ = store.apply(entry(LogIndex(index), Command(client: client, seq: seq, session: session, op: op)))
            let rebuilt = try KVStore(snapshot: store.snapshot(), sessionTTL: 32)
            #expect(store.digest == rebuilt.digest, "after entry \(index)")
            if store.digest != rebuilt.digest { return }
        }
        #expect(store.expiredSessions > 0, "the run should have expired sessions")
        #expect(store.count > 0)
    }
}

/// A deterministic generator for the tests (SplitMix64).
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
