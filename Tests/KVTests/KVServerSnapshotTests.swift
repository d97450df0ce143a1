import KV
import RaftCore
import Testing

/// One node whose every `Ready` is stored in a `PersistentState` (snapshots included), so that it
/// can restart from what it stored.
private final class StoredNode {
    private(set) var storage = PersistentState()
    private(set) var server: KVServer
    private(set) var outputs: [ServerOutput] = []
    let snapshotEvery: LogIndex?

    init(snapshotEvery: LogIndex?) throws {
        self.snapshotEvery = snapshotEvery
        server = try Self.start(PersistentState(), snapshotEvery: snapshotEvery)
    }

    private static func start(_ storage: PersistentState, snapshotEvery: LogIndex?) throws -> KVServer {
        let raft = try RaftNode(config: RaftConfig(id: 1, voters: [1]), storage: storage, random: SplitMix64(seed: 3))
        return try KVServer(raft: raft, snapshotEvery: snapshotEvery)
    }

    @discardableResult
    func pump() -> [ClientReply] {
        var replies: [ClientReply] = []
        while let rd = server.ready() {
            if let s = rd.snapshot { storage.saveSnapshot(s, replacingLog: rd.installsSnapshot) }
            if let hs = rd.hardState { storage.hardState = hs }
            storage.append(rd.entries)
            let out = server.advance(rd)
            outputs.append(out)
            replies += out.replies
        }
        return replies
    }

    func restart() throws {
        server = try Self.start(storage, snapshotEvery: snapshotEvery)
        pump()
    }

    func lead() throws {
        for _ in 0..<200 where !(server.raft.role == .leader && server.raft.committedInCurrentTerm) {
            server.raft.tick()
            pump()
        }
        guard server.raft.role == .leader else { throw TestFailure(description: "no leader") }
    }

    func write(_ request: ClientRequest) -> [ClientReply] {
        server.receive(request) + pump()
    }
}

@Suite("KVServer snapshots and sessions")
struct KVServerSnapshotTests {
    private func append(_ client: ClientID, _ seq: UInt64, _ value: String, session: LogIndex = 0) -> ClientRequest {
        ClientRequest(client: client, seq: seq, session: session, op: .append(key: "log", value: value))
    }

    @Test("a node snapshots every N applied entries, stores the snapshot, and restarts from it plus the log after it")
    func snapshotEveryAndRestart() throws {
        let node = try StoredNode(snapshotEvery: 5)
        try node.lead()
        var indexes: [LogIndex] = []
        for seq in 1...12 {
            let r = node.write(append(1, UInt64(seq), "\(seq),"))
            #expect(r.count == 1 && r[0].outcome == .done(.ok))
            indexes.append(r[0].index)
        }
        let taken = node.outputs.compactMap(\.snapshotTaken)
        #expect(taken.count == 2 && taken.allSatisfy { $0 % 5 == 0 || $0 > 0 })
        #expect(zip(taken, taken.dropFirst()).allSatisfy { $1 - $0 >= 5 })
        let stored = node.storage
        #expect(stored.snapshot.index == taken.last && stored.firstIndex == taken.last! + 1)
        #expect(stored.lastIndex == node.server.raft.log.lastIndex)
        let fromDisk = try KVStore(snapshot: stored.snapshotData)
        #expect(fromDisk.appliedIndex == stored.snapshot.index)
        #expect(node.server.raft.log.firstIndex == stored.firstIndex)

        let before = node.server.store
        try node.restart()
        #expect(node.server.store.digest == before.digest)
        #expect(node.server.store.get("log") == (1...12).map { "\($0)," }.joined())
        #expect(node.server.raft.log.offset == stored.snapshot.index)
        try node.lead()
        // Exactly once across compaction and restart: the last write again gets its cached answer,
        // an older one is superseded, and nothing applies twice.
        #expect(node.write(append(1, 12, "12,")) == [ClientReply(client: 1, seq: 12, outcome: .done(.ok), index: indexes[11])])
        let old = node.write(append(1, 3, "3,"))
        #expect(old.count == 1)
        if case .failed = old.first?.outcome {} else { Issue.record("expected superseded, got \(old)") }
        #expect(node.server.store.get("log") == before.get("log"))
        #expect(node.server.takeSnapshot() != nil)
        #expect(node.server.takeSnapshot() == nil, "nothing applied since")
    }

    @Test("a follower cut off while the leader compacted catches up by loading the leader's snapshot")
    func followerInstalls() throws {
        let cluster = try TestCluster(size: 3, seed: 5, snapshotEvery: 4)
        let leaderID = try cluster.electLeader()
        let f = cluster.ids.first { $0 != leaderID }!
        cluster.isolated = [f]
        for seq in 1...20 {
            #expect(cluster[leaderID].receive(append(1, UInt64(seq), "\(seq),")).isEmpty)
            cluster.settle()
        }
        #expect(cluster[leaderID].raft.log.offset >= 16)
        cluster.isolated = []
        for _ in 0..<60 where cluster[f].store.digest != cluster[leaderID].store.digest {
            cluster.tickAll()
            cluster.settle()
        }
        #expect(cluster[f].store.digest == cluster[leaderID].store.digest)
        #expect(cluster[f].raft.stats.snapshotsInstalled >= 1)
        #expect(cluster.outputs[f]!.contains { $0.installed != nil })
        #expect(cluster[f].raft.log.offset > 0)

        // A write of an already applied (client, seq) that reaches the log again applies once on
        // every node, including the one that only knows the session from the snapshot.
        _ = try cluster[leaderID].raft.propose(Command(append(1, 20, "20,")).encode())
        cluster.settle()
        for _ in 0..<5 { cluster.tickAll(); cluster.settle() }
        for id in cluster.ids {
            #expect(cluster[id].store.get("log") == (1...20).map { "\($0)," }.joined(), "node \(id)")
            #expect(cluster.outputs[id]!.flatMap(\.commands).last?.duplicate == true, "node \(id)")
        }
    }

    @Test("a write without a session, or of an expired one, is answered sessionExpired and never proposed")
    func sessionsThroughTheServer() throws {
        let cluster = try TestCluster(size: 3, seed: 7, sessionTTL: 8)
        let leaderID = try cluster.electLeader()
        let leader = cluster[leaderID]
        let committed = leader.raft.log.committed
        let lastIndex = leader.raft.log.lastIndex
        #expect(leader.receive(append(1, 1, "a", session: ClientRequest.noSession))
                == [ClientReply(client: 1, seq: 1, outcome: .sessionExpired(session: ClientRequest.noSession), index: committed)])
        #expect(leader.pendingWrites == 0 && leader.raft.log.lastIndex == lastIndex)
        // From the index given, the write applies.
        #expect(leader.receive(append(1, 1, "a", session: committed)).isEmpty)
        let done = cluster.settle().map(\.reply).filter { $0.client == 1 }
        #expect(done.map(\.outcome) == [.done(.ok)])
        // Client 2 keeps the log moving; client 1 stays idle until its session expires.
        let start2 = leader.raft.log.committed
        for seq in 1...20 {
            _ = leader.receive(append(2, UInt64(seq), "b", session: start2 + LogIndex(seq / 8) * 8))
            cluster.settle()
        }
        #expect(leader.store.session(client: 1) == nil)
        let lastBefore = leader.raft.log.lastIndex
        let refused = leader.receive(append(1, 2, "c", session: committed))
        #expect(refused == [ClientReply(client: 1, seq: 2, outcome: .sessionExpired(session: committed),
                                        index: leader.raft.log.committed)])
        #expect(leader.raft.log.lastIndex == lastBefore, "not proposed")
        // Had it been proposed (a leader that saw it fresh), every replica refuses it when it applies.
        _ = try leader.raft.propose(Command(append(1, 1, "a", session: committed)).encode())
        cluster.settle()
        for _ in 0..<5 { cluster.tickAll(); cluster.settle() }
        for id in cluster.ids {
            #expect(cluster[id].store.get("log")?.filter { $0 == "a" }.count == 1, "node \(id)")
            #expect(cluster[id].store.expiredEntries == 1, "node \(id)")
            #expect(cluster[id].store.digest == leader.store.digest)
        }
    }

    @Test("a snapshot from the leader that does not decode stops the server instead of diverging")
    func corruptSnapshot() throws {
        let cluster = try TestCluster(size: 3, seed: 9)
        let node = cluster[1]
        node.raft.step(Message(kind: .snapshot, from: 2, to: 1, term: 1,
                               snapshot: SnapshotChunk(metadata: SnapshotMetadata(index: 5, term: 1), offset: 0,
                                                       data: [1, 2, 3], done: true)))
        cluster.processReady()
        let failure = try #require(node.failure)
        #expect(failure.contains("snapshot at index 5"))
        #expect(cluster.outputs[1]!.last?.failure == failure)
        #expect(node.ready() == nil)
        #expect(node.receive(append(1, 1, "x")) == [ClientReply(client: 1, seq: 1, outcome: .notLeader(leader: noNode))])
    }
}
