import KV
import RaftCore
import Testing

@Suite("KVServer, three nodes")
struct KVServerClusterTests {
    @Test("a follower answers notLeader with the leader's id")
    func followerRedirects() throws {
        let cluster = try TestCluster(size: 3, seed: 11)
        let leader = try cluster.electLeader()
        for id in cluster.ids where id != leader {
            #expect(cluster[id].receive(put(1, 1, "x", "1")) == [ClientReply(client: 1, seq: 1, outcome: .notLeader(leader: leader))])
            #expect(cluster[id].receive(get(1, 2, "x")) == [ClientReply(client: 1, seq: 2, outcome: .notLeader(leader: leader))])
            #expect(cluster[id].pendingCount == 0)
        }
    }

    @Test("a put is answered only after it commits")
    func putAfterCommit() throws {
        let cluster = try TestCluster(size: 3, seed: 21)
        let leaderID = try cluster.electLeader()
        let leader = cluster[leaderID]
        let followers = cluster.ids.filter { $0 != leaderID }

        #expect(leader.receive(put(1, 1, "x", "1")).isEmpty)
        let index = leader.raft.status.lastIndex

        // The leader persists and sends; alone it cannot commit.
        #expect(cluster.processReady().isEmpty)
        #expect(leader.raft.status.commit < index)
        #expect(cluster.inFlight.contains { $0.kind == .append && $0.entries.contains { $0.index == index } })

        // Followers store the entry; their answers are still on the way.
        #expect(cluster.deliver { $0.kind == .append }.isEmpty)
        #expect(leader.raft.status.commit < index)
        #expect(leader.store.get("x") == nil)
        for f in followers { #expect(cluster[f].raft.status.lastIndex == index) }

        // One acknowledgement makes a quorum: the entry commits and the put is answered.
        let firstAck = try #require(cluster.inFlight.firstIndex { $0.kind == .appendResponse && $0.to == leaderID })
        let ack = cluster.inFlight.remove(at: firstAck)
        cluster.inFlight.insert(ack, at: 0)
        let replies = cluster.deliver { $0 == ack }
        #expect(replies.map(\.reply) == [ClientReply(client: 1, seq: 1, outcome: .done(.ok), index: index)])
        #expect(replies.map(\.node) == [leaderID])
        #expect(leader.raft.status.commit >= index)
        #expect(leader.store.get("x") == "1")

        // Followers learn the commit and apply; nobody answers twice.
        cluster.settle()
        for _ in 0..<5 { cluster.tickAll(); cluster.settle() }
        for id in cluster.ids { #expect(cluster[id].store.get("x") == "1") }
        #expect(cluster.replies(client: 1, seq: 1).count == 1)
    }

    @Test("a put on a leader cut off from the others is never acknowledged as done")
    func putWithoutQuorum() throws {
        let cluster = try TestCluster(size: 3, seed: 31)
        let leaderID = try cluster.electLeader()
        cluster.isolated = [leaderID]
        #expect(cluster[leaderID].receive(put(1, 1, "x", "1")).isEmpty)
        var replies: [ClientReply] = []
        for _ in 0..<100 {
            cluster.tickAll()
            replies += cluster.settle().map(\.reply).filter { $0.client == 1 }
        }
        // CheckQuorum made it step down, and the waiting put was told to go elsewhere.
        #expect(cluster[leaderID].raft.role != .leader)
        #expect(replies.count == 1)
        if case .notLeader = replies.first?.outcome {} else { Issue.record("expected notLeader, got \(replies)") }
        #expect(cluster[leaderID].pendingCount == 0)
        for id in cluster.ids { #expect(cluster[id].store.get("x") == nil) }
    }

    @Test("a get is answered only after a quorum confirms the leader (ReadIndex)")
    func getAfterReadIndex() throws {
        let cluster = try TestCluster(size: 3, seed: 41)
        let leaderID = try cluster.electLeader()
        let leader = cluster[leaderID]
        #expect(leader.receive(put(1, 1, "x", "42")).isEmpty)
        cluster.settle()
        let putIndex = try #require(cluster.replies(client: 1, seq: 1).first?.index)

        #expect(leader.receive(get(2, 1, "x")).isEmpty)
        #expect(leader.pendingCount == 1)
        #expect(cluster.processReady().isEmpty)
        let probes = cluster.inFlight.filter { $0.kind == .heartbeat && $0.context != 0 }
        #expect(probes.count == 2)

        // Followers answer the heartbeat; until an answer reaches the leader, the read waits.
        #expect(cluster.deliver { $0.kind == .heartbeat }.isEmpty)
        #expect(leader.pendingCount == 1)
        let answers = cluster.inFlight.filter { $0.kind == .heartbeatResponse && $0.context != 0 }
        #expect(answers.count == 2)

        let first = answers[0]
        let replies = cluster.deliver { $0 == first }
        #expect(replies.map(\.reply) == [ClientReply(client: 2, seq: 1, outcome: .done(.value("42")), index: putIndex)])
        #expect(leader.pendingCount == 0)
        cluster.settle()
        #expect(cluster.replies(client: 2, seq: 1).count == 1)
    }

    @Test("a get on a leader cut off from the others is not served from its local state")
    func getWithoutQuorum() throws {
        let cluster = try TestCluster(size: 3, seed: 51)
        let leaderID = try cluster.electLeader()
        cluster.isolated = [leaderID]
        #expect(cluster[leaderID].receive(get(3, 1, "x")).isEmpty)
        var replies: [ClientReply] = []
        for _ in 0..<100 {
            cluster.tickAll()
            replies += cluster.settle().map(\.reply).filter { $0.client == 3 }
        }
        #expect(replies.count == 1)
        if case .notLeader = replies.first?.outcome {} else { Issue.record("expected notLeader, got \(replies)") }
        #expect(cluster[leaderID].pendingCount == 0)
    }

    @Test("a write retried at a new leader after a failover applies once")
    func retryAfterFailover() throws {
        let cluster = try TestCluster(size: 3, seed: 61)
        let oldLeaderID = try cluster.electLeader()
        let oldLeader = cluster[oldLeaderID]

        // The old leader replicates client 7's put, but no acknowledgement comes back.
        let request = put(7, 1, "x", "a")
        #expect(oldLeader.receive(request).isEmpty)
        cluster.processReady()
        cluster.deliver { $0.kind == .append }
        cluster.inFlight.removeAll()
        #expect(oldLeader.raft.status.commit < oldLeader.raft.status.lastIndex)

        // Cut the old leader off; the others elect a new leader, which commits the entry.
        cluster.isolated = [oldLeaderID]
        let newLeaderID = try cluster.electLeader(excluding: [oldLeaderID])
        let newLeader = cluster[newLeaderID]
        for _ in 0..<60 { cluster.tickAll(); cluster.settle() }
        #expect(newLeader.store.get("x") == "a")
        let firstIndex = try #require(newLeader.store.session(client: 7)?.index)

        // The old leader gave up on the request and said so.
        #expect(oldLeader.raft.role != .leader)
        #expect(cluster.replies(client: 7, seq: 1).map(\.outcome) == [.notLeader(leader: 0)])

        // Another client overwrites x; then client 7 retries at the new leader.
        #expect(newLeader.receive(put(8, 1, "x", "b")).isEmpty)
        cluster.settle()
        #expect(cluster.replies(client: 8, seq: 1).map(\.outcome) == [.done(.ok)])
        #expect(newLeader.receive(request) == [ClientReply(client: 7, seq: 1, outcome: .done(.ok), index: firstIndex)])

        // The old leader comes back and catches up: everybody has x == b and the same state.
        cluster.isolated = []
        for _ in 0..<60 { cluster.tickAll(); cluster.settle() }
        let digests = Set(cluster.ids.map { cluster[$0].store.digest })
        #expect(digests.count == 1)
        for id in cluster.ids {
            #expect(cluster[id].store.get("x") == "b")
            #expect(cluster[id].store.lastSeq(client: 7) == 1)
        }
    }

    @Test("a retry proposed again before the first copy applied is answered once and applied once")
    func retryWhileFirstCopyUncommitted() throws {
        let cluster = try TestCluster(size: 3, seed: 71)
        let oldLeaderID = try cluster.electLeader()
        let request = put(9, 1, "y", "1")
        #expect(cluster[oldLeaderID].receive(request).isEmpty)
        cluster.processReady()
        cluster.deliver { $0.kind == .append }
        cluster.inFlight.removeAll()
        cluster.isolated = [oldLeaderID]

        // Step message round by message round until a new leader exists but has not committed yet.
        var newLeaderID: NodeID?
        search: for _ in 0..<500 {
            cluster.tickAll()
            cluster.processReady()
            while !cluster.inFlight.isEmpty {
                cluster.deliver()
                if let l = cluster.leader, l != oldLeaderID {
                    newLeaderID = l
                    break search
                }
            }
        }
        let newLeader = cluster[try #require(newLeaderID)]
        #expect(!newLeader.raft.committedInCurrentTerm)
        #expect(newLeader.store.get("y") == nil)

        // The client retries at once: the first copy is not applied yet, so the request is proposed again.
        let before = newLeader.raft.status.lastIndex
        #expect(newLeader.receive(request).isEmpty)
        #expect(newLeader.raft.status.lastIndex == before + 1)
        #expect(newLeader.receive(request).isEmpty)
        #expect(newLeader.raft.status.lastIndex == before + 1)

        cluster.settle()
        for _ in 0..<20 { cluster.tickAll(); cluster.settle() }
        let fromNew = cluster.replies.filter { $0.node == newLeader.id && $0.reply.client == 9 }.map(\.reply)
        // Answered from the first copy, at its index; the second copy applied as a duplicate.
        let firstIndex = try #require(newLeader.store.session(client: 9)?.index)
        #expect(firstIndex < before)
        #expect(fromNew == [ClientReply(client: 9, seq: 1, outcome: .done(.ok), index: firstIndex)])
        #expect(newLeader.store.get("y") == "1")
        #expect(newLeader.pendingCount == 0)
    }
}
