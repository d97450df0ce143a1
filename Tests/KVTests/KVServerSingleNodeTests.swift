import KV
import RaftCore
import Testing

/// A one-node cluster driven by hand: the node elects itself after its election timeout.
final class SingleNode {
    let server: KVServer
    var replies: [ClientReply] = []
    var applied: [Entry] = []

    init(seed: UInt64 = 1, maxMessageBytes: Int = 64 * 1024) throws {
        let config = RaftConfig(id: 1, voters: [1], maxMessageBytes: maxMessageBytes)
        server = try KVServer(raft: try RaftNode(config: config, random: SplitMix64(seed: seed)))
        server.recordsCommands = true  // some tests read `ServerOutput.commands`
    }

    /// Run Ready/advance until there is nothing left; returns the replies of this call.
    @discardableResult
    func pump() -> [ClientReply] {
        var fresh: [ClientReply] = []
        while let rd = server.ready() {
            #expect(rd.messages.isEmpty, "a single node has nobody to talk to")
            let out = server.advance(rd)
            fresh += out.replies
            applied += out.applied
        }
        replies += fresh
        return fresh
    }

    func electSelf() throws {
        for _ in 0..<100 {
            server.raft.tick()
            pump()
            if server.raft.role == .leader && server.raft.committedInCurrentTerm { return }
        }
        throw TestFailure(description: "single node did not elect itself")
    }
}

@Suite("KVServer, one node")
struct KVServerSingleNodeTests {
    @Test("put then get, answered after ready/advance")
    func putThenGet() throws {
        let node = try SingleNode()
        #expect(node.server.receive(put(1, 1, "x", "1")) == [ClientReply(client: 1, seq: 1, outcome: .notLeader(leader: 0))])
        try node.electSelf()
        #expect(node.server.raft.term >= 1)

        #expect(node.server.receive(put(1, 2, "x", "hello")).isEmpty)
        #expect(node.server.pendingCount == 1)
        let putReplies = node.pump()
        #expect(putReplies.count == 1)
        let putReply = try #require(putReplies.first)
        #expect(putReply.client == 1 && putReply.seq == 2)
        #expect(putReply.outcome == .done(.ok))
        #expect(putReply.index == node.server.raft.status.lastIndex)
        #expect(node.server.store.get("x") == "hello")

        #expect(node.server.receive(get(2, 1, "x")).isEmpty)
        #expect(node.server.receive(get(2, 2, "missing")).isEmpty)
        #expect(node.server.pendingCount == 2)
        let getReplies = node.pump()
        #expect(getReplies == [
            ClientReply(client: 2, seq: 1, outcome: .done(.value("hello")), index: putReply.index),
            ClientReply(client: 2, seq: 2, outcome: .done(.value(nil)), index: putReply.index),
        ])

        #expect(node.server.receive(del(1, 3, "x")).isEmpty)
        #expect(node.pump().map(\.outcome) == [.done(.ok)])
        #expect(node.server.receive(get(2, 3, "x")).isEmpty)
        #expect(node.pump().map(\.outcome) == [.done(.value(nil))])
        #expect(node.server.pendingCount == 0)
        // Entries applied: the noop, the put and the delete.
        #expect(node.applied.map(\.kind) == [.noop, .normal, .normal])
    }

    @Test("a repeated write is proposed once; a retry after it applied is answered from the session")
    func duplicates() throws {
        let node = try SingleNode(seed: 9)
        try node.electSelf()
        let last = node.server.raft.status.lastIndex

        #expect(node.server.receive(put(5, 1, "k", "v")).isEmpty)
        #expect(node.server.receive(put(5, 1, "k", "v")).isEmpty)
        #expect(node.server.raft.status.lastIndex == last + 1)
        #expect(node.server.pendingCount == 1)
        let replies = node.pump()
        #expect(replies == [ClientReply(client: 5, seq: 1, outcome: .done(.ok), index: last + 1)])

        // Another client changes k; the retry must not bring "v" back, and is answered at once.
        #expect(node.server.receive(put(6, 1, "k", "w")).isEmpty)
        node.pump()
        #expect(node.server.receive(put(5, 1, "k", "v")) == [ClientReply(client: 5, seq: 1, outcome: .done(.ok), index: last + 1)])
        #expect(node.server.raft.status.lastIndex == last + 2)
        #expect(node.server.store.get("k") == "w")

        // An older seq than the session's is refused, not applied.
        #expect(node.server.receive(put(5, 2, "k", "v2")).isEmpty)
        node.pump()
        let stale = node.server.receive(put(5, 1, "k", "v"))
        #expect(stale.count == 1)
        if case .failed = stale.first?.outcome {} else { Issue.record("expected .failed, got \(stale)") }
        #expect(node.server.store.get("k") == "v2")
    }

    @Test("a proposal over the size limit fails at once")
    func tooLarge() throws {
        let node = try SingleNode(maxMessageBytes: 100)
        try node.electSelf()
        let replies = node.server.receive(put(1, 1, "k", String(repeating: "x", count: 200)))
        #expect(replies.count == 1)
        guard case .failed(let why)? = replies.first?.outcome else {
            Issue.record("expected .failed, got \(replies)")
            return
        }
        #expect(why.contains("100"))
        #expect(node.server.pendingCount == 0)
    }

    @Test("an undecodable entry in the log is skipped and counted")
    func undecodableEntryInLog() throws {
        let node = try SingleNode()
        try node.electSelf()
        try node.server.raft.propose([0xde, 0xad])
        #expect(node.server.receive(put(1, 1, "a", "b")).isEmpty)
        let replies = node.pump()
        #expect(replies.map(\.outcome) == [.done(.ok)])
        #expect(node.server.store.undecodableEntries == 1)
        #expect(node.server.store.appliedIndex == node.server.raft.status.lastIndex)
        #expect(node.server.store.get("a") == "b")
    }
    @Test("a waiting write overtaken by a later seq of its client fails instead of waiting forever")
    func supersededWhileWaiting() throws {
        let node = try SingleNode(seed: 4)
        try node.electSelf()
        // Seq 2 arrives first; a late copy of seq 1 follows before seq 2 applied.
        #expect(node.server.receive(put(3, 2, "k", "two")).isEmpty)
        #expect(node.server.receive(put(3, 1, "k", "one")).isEmpty)
        #expect(node.server.pendingCount == 2)
        let replies = node.pump()
        #expect(replies.count == 2)
        #expect(replies.first?.outcome == .done(.ok))
        #expect(replies.first?.seq == 2)
        if case .failed? = replies.last?.outcome, replies.last?.seq == 1 {} else {
            Issue.record("expected seq 1 to fail as superseded, got \(replies)")
        }
        #expect(node.server.pendingCount == 0)
        #expect(node.server.store.get("k") == "two")
        #expect(node.server.store.staleEntries == 1)
    }

    @Test("a confirmed read waits until the store has applied its read index")
    func readWaitsForApply() throws {
        let node = try SingleNode(seed: 5)
        try node.electSelf()
        #expect(node.server.receive(put(1, 1, "y", "old")).isEmpty)
        node.pump()

        // The new value commits (the single node's entry is stable after this advance)...
        #expect(node.server.receive(put(1, 2, "y", "new")).isEmpty)
        let rd1 = try #require(node.server.ready())
        #expect(node.server.advance(rd1).replies.isEmpty)
        let index = node.server.raft.status.commit
        #expect(index == node.server.raft.status.lastIndex)
        #expect(node.server.store.appliedIndex < index)

        // ...and a read confirmed at that index arrives together with it; the driver applies later.
        #expect(node.server.receive(get(2, 1, "y")).isEmpty)
        var rd2 = try #require(node.server.ready())
        let committed = rd2.committedEntries
        #expect(committed.map(\.index) == [index])
        rd2.committedEntries = []
        let early = node.server.advance(rd2)
        #expect(early.replies.isEmpty, "the read must not see the state before its index")
        #expect(node.server.pendingCount == 2)

        var rd3 = Ready()
        rd3.committedEntries = committed
        let late = node.server.advance(rd3)
        #expect(late.replies == [
            ClientReply(client: 1, seq: 2, outcome: .done(.ok), index: index),
            ClientReply(client: 2, seq: 1, outcome: .done(.value("new")), index: index),
        ])
        #expect(late.applied.map(\.index) == [index])
        #expect(late.commands.map(\.command.seq) == [2])
    }
}

@Suite("KVServer, known bug stale-read")
struct KVServerStaleReadTests {
    @Test("a leader with stale-read answers a get at once, without a ReadIndex round")
    func staleReadAnswersAtOnce() throws {
        let config = RaftConfig(id: 1, voters: [1, 2, 3], bug: .staleRead)
        let raft = try RaftNode(config: config, random: SplitMix64(seed: 1))
        let server = try KVServer(raft: raft)
        // A follower still redirects.
        #expect(server.receive(ClientRequest(client: 1, seq: 1, op: .get(key: "x"))).first?.outcome == .notLeader(leader: 0))
        let correct = try KVServer(raft: try RaftNode(config: RaftConfig(id: 1, voters: [1]), random: SplitMix64(seed: 1)))
        let buggy = try KVServer(raft: try RaftNode(config: RaftConfig(id: 1, voters: [1], bug: .staleRead), random: SplitMix64(seed: 1)))
        for s in [correct, buggy] {
            for _ in 0..<100 where s.raft.role != .leader {
                s.raft.tick()
                while let rd = s.ready() { _ = s.advance(rd) }
            }
            #expect(s.raft.role == .leader)
        }
        #expect(correct.receive(ClientRequest(client: 1, seq: 2, op: .get(key: "x"))).isEmpty, "waits for ReadIndex")
        #expect(buggy.receive(ClientRequest(client: 1, seq: 2, op: .get(key: "x"))).first?.outcome == .done(.value(nil)))
    }
}
