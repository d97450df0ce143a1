@testable import Check
import KV
import RaftCore
import Testing

@Suite struct InvariantCheckerTests {
    private func invariants(_ checker: InvariantChecker) -> [String] {
        checker.violations.map(\.invariant)
    }

    // MARK: - A healthy cluster raises nothing

    @Test func healthyClusterHasNoViolations() {
        let checker = InvariantChecker(seed: 7)
        let cluster = TinyCluster(checker: checker)
        cluster.addGroup([1, 2, 3])
        let leader = try! #require(cluster.electLeader(in: [1, 2, 3]))
        for seq in 1...20 {
            let (index, data) = cluster.put("k\(seq % 3)", "v\(seq)", via: leader, seq: UInt64(seq))
            #expect(cluster.node(leader).log.committed >= index)
            checker.acknowledgedWrite(index: index, data: data, at: cluster.time)
        }
        cluster.tick(10)
        for id: NodeID in [1, 2, 3] { checker.checkAcknowledgedWrites(on: cluster.node(id), at: cluster.time) }

        // A follower crashes and comes back from its storage; more writes; a new election.
        let follower: NodeID = leader == 1 ? 2 : 1
        cluster.restart(follower)
        cluster.tick(5)
        for seq in 21...25 {
            let (index, data) = cluster.put("k", "v\(seq)", via: leader, seq: UInt64(seq))
            checker.acknowledgedWrite(index: index, data: data, at: cluster.time)
        }
        cluster.restart(leader)
        let next = try! #require(cluster.electLeader(in: [1, 2, 3]))
        cluster.put("k", "after", via: next, seq: 99)
        cluster.tick(10)
        for id: NodeID in [1, 2, 3] { checker.checkAcknowledgedWrites(on: cluster.node(id), at: cluster.time) }

        #expect(checker.violations.isEmpty, "\(checker.violations)")
        #expect(checker.firstViolation == nil)
        #expect(checker.checks > 100)
        #expect(cluster.appliedLog[1]!.count >= 25)
    }

    // MARK: - Real nodes in impossible situations

    /// Two single-node clusters each elect themselves in term 1: to one checker, two leaders of one term.
    @Test func detectsTwoLeadersInOneTerm() {
        let checker = InvariantChecker(seed: 42)
        let cluster = TinyCluster(checker: checker)
        cluster.addGroup([1])
        cluster.addGroup([2])
        #expect(cluster.electLeader(in: [1]) == 1)
        #expect(cluster.electLeader(in: [2]) == 2)
        #expect(cluster.node(1).term == cluster.node(2).term)
        let v = try! #require(checker.violations.first { $0.invariant == "election safety" })
        #expect(v.nodes == [1, 2])
        #expect(v.seed == 42)
        #expect(v.detail.contains("term 1"))
        // Reported once per term, though both keep leading.
        cluster.tick(5)
        #expect(checker.violations.filter { $0.invariant == "election safety" }.count == 1)
    }

    /// The same two leaders each append a different command at index 2 of term 1.
    @Test func detectsConflictingEntriesAtOneIndexAndTerm() {
        let checker = InvariantChecker(seed: 1)
        let cluster = TinyCluster(checker: checker)
        cluster.addGroup([1])
        cluster.addGroup([2])
        cluster.electLeader(in: [1])
        cluster.electLeader(in: [2])
        let a = cluster.put("x", "from-1", via: 1, seq: 1)
        let b = cluster.put("x", "from-2", via: 2, seq: 1)
        #expect(a.index == b.index)
        let kinds = invariants(checker)
        #expect(kinds.contains("log matching"))
        #expect(kinds.contains("state machine safety"))
        let v = try! #require(checker.violations.first { $0.invariant == "log matching" })
        #expect(v.nodes == [1, 2])
        #expect(v.detail.contains("entry 2 of term 1"))
        #expect(v.detail.contains("put x from-2"))
    }

    /// A node restored with a commit index below what it had reached, without `restarted`.
    @Test func detectsCommitGoingBack() {
        let checker = InvariantChecker(seed: 3)
        let cluster = TinyCluster(checker: checker)
        cluster.addGroup([1])
        cluster.electLeader(in: [1])
        for seq in 1...3 { cluster.put("x", "\(seq)", via: 1, seq: UInt64(seq)) }
        let before = cluster.node(1).log.committed
        #expect(before == 4)
        #expect(checker.violations.isEmpty)

        var stored = cluster.storage[1]!
        stored.hardState.commit = 1
        let reborn = try! RaftNode(config: RaftConfig(id: 1, voters: [1]), storage: stored, random: SeededGenerator(seed: 9))
        checker.observe(reborn, at: 5)
        let v = try! #require(checker.firstViolation)
        #expect(v.invariant == "commit monotonic")
        #expect(v.detail.contains("from 4 to 1"))

        // After a declared restart the same observation is fine.
        let clean = InvariantChecker(seed: 3)
        clean.noteProgress(node: 1, term: 1, commit: 4, commitTerm: 1, applied: 4, at: 1)
        clean.restarted(1)
        clean.observe(reborn, at: 5)
        #expect(clean.violations.isEmpty)
    }

    /// Node 1 commits entries 1...3 of term 1; node 2, knowing none of them, wins term 6.
    @Test func detectsLeaderMissingCommittedEntry() {
        let checker = InvariantChecker(seed: 5)
        let cluster = TinyCluster(checker: checker)
        cluster.addGroup([1])
        cluster.electLeader(in: [1])
        cluster.put("x", "1", via: 1, seq: 1)
        cluster.put("x", "2", via: 1, seq: 2)
        cluster.addGroup([2], storage: [2: PersistentState(hardState: HardState(term: 5))])
        #expect(cluster.electLeader(in: [2]) == 2)
        let v = try! #require(checker.violations.first { $0.invariant == "leader completeness" })
        #expect(v.detail.contains("node 2 became leader of term 6"))
        #expect(v.detail.contains("committed entry 3 of term 1"))
        #expect(!invariants(checker).contains("election safety"))
    }

    /// A write acknowledged at index 2 is not what another node committed there.
    @Test func detectsAcknowledgedWriteLost() {
        let checker = InvariantChecker(seed: 8)
        let cluster = TinyCluster(checker: checker)
        cluster.addGroup([1])
        cluster.addGroup([2], storage: [2: PersistentState(hardState: HardState(term: 3))])
        cluster.electLeader(in: [1])
        cluster.electLeader(in: [2])
        // The acknowledgement arrives before node 2 has committed index 2: checked once it has.
        let acked = cluster.put("x", "kept", via: 1, seq: 1)
        checker.acknowledgedWrite(index: acked.index, data: acked.data, at: cluster.time)
        checker.checkAcknowledgedWrites(on: cluster.node(2), at: cluster.time)
        #expect(!invariants(checker).contains("acknowledged write lost"))
        cluster.put("x", "other", via: 2, seq: 1)
        checker.checkAcknowledgedWrites(on: cluster.node(1), at: cluster.time)
        checker.checkAcknowledgedWrites(on: cluster.node(2), at: cluster.time)
        let lost = checker.violations.filter { $0.invariant == "acknowledged write lost" }
        #expect(lost.count == 1)
        #expect(lost.first?.nodes == [2])
        #expect(lost.first?.detail.contains("put x kept (client 1 seq 1) acknowledged at index 2") == true)
    }

    /// Logs restored from storage, never applied: the acknowledgement is checked against the log
    /// itself, including one that was above the node's commit index when first looked at.
    @Test func detectsAcknowledgedWriteMissingFromCommittedLog() {
        let checker = InvariantChecker(seed: 8)
        let cmd = { (v: String) in Command(client: 4, seq: 9, op: .put(key: "x", value: v)).encode() }
        func node(commit: LogIndex, _ entries: [Entry]) -> RaftNode {
            try! RaftNode(config: RaftConfig(id: 3, voters: [3]),
                          storage: PersistentState(hardState: HardState(term: 1, commit: commit), entries: entries),
                          random: SeededGenerator(seed: 1))
        }
        let noop = Entry(term: 1, index: 1, kind: .noop)
        checker.acknowledgedWrite(index: 2, data: cmd("a"), at: 1)
        checker.acknowledgedWrite(index: 3, data: cmd("b"), at: 1)
        checker.checkAcknowledgedWrites(on: node(commit: 2, [noop, Entry(term: 1, index: 2, data: cmd("a")),
                                                          Entry(term: 1, index: 3, data: cmd("c"))]), at: 2)
        #expect(checker.violations.isEmpty)  // index 3 is not committed yet
        checker.checkAcknowledgedWrites(on: node(commit: 3, [noop, Entry(term: 1, index: 2, data: cmd("a")),
                                                          Entry(term: 1, index: 3, data: cmd("c"))]), at: 3)
        let v = try! #require(checker.firstViolation)
        #expect(v.invariant == "acknowledged write lost")
        #expect(v.detail == "write put x b (client 4 seq 9) acknowledged at index 3, but node 3 (commit 3) holds put x c (client 4 seq 9) @t1 there")
        #expect(checker.violations.count == 1)
    }

    // MARK: - The same checks on plain values

    @Test func hookDetectsConflictingPrevTerm() {
        let c = InvariantChecker(seed: 0)
        c.notePersisted(node: 1, entries: [Entry(term: 2, index: 5, data: [1])], prevTermOfFirst: 1, at: 0)
        c.notePersisted(node: 2, entries: [Entry(term: 2, index: 5, data: [1])], prevTermOfFirst: 1, at: 0)
        #expect(c.violations.isEmpty)
        c.notePersisted(node: 3, entries: [Entry(term: 2, index: 5, data: [1])], prevTermOfFirst: 2, at: 0)
        #expect(c.violations.map(\.invariant) == ["log matching"])
        // The same conflict is reported once.
        c.notePersisted(node: 3, entries: [Entry(term: 2, index: 5, data: [1])], prevTermOfFirst: 2, at: 0)
        #expect(c.violations.count == 1)
    }

    @Test func hookDetectsDifferentAppliedEntries() {
        let c = InvariantChecker(seed: 0)
        c.noteApplied(node: 1, entries: [Entry(term: 1, index: 1, kind: .noop), Entry(term: 1, index: 2, data: [7])], at: 0)
        c.noteApplied(node: 2, entries: [Entry(term: 1, index: 1, kind: .noop), Entry(term: 1, index: 2, data: [7])], at: 0)
        #expect(c.violations.isEmpty)
        c.noteApplied(node: 3, entries: [Entry(term: 1, index: 1, kind: .noop), Entry(term: 1, index: 2, data: [8])], at: 0)
        #expect(c.violations.map(\.invariant) == ["state machine safety"])
        #expect(c.violations[0].nodes == [1, 3])
    }

    @Test func hookDetectsAppliedGoingBack() {
        let c = InvariantChecker(seed: 0)
        c.noteApplied(node: 1, entries: [Entry(term: 1, index: 1), Entry(term: 1, index: 2)], at: 0)
        c.noteApplied(node: 1, entries: [Entry(term: 1, index: 2)], at: 0)
        #expect(c.violations.map(\.invariant) == ["applied monotonic"])
        c.noteProgress(node: 1, term: 1, commit: 2, commitTerm: 1, applied: 2, at: 0)
        c.noteProgress(node: 1, term: 1, commit: 2, commitTerm: 1, applied: 1, at: 0)
        #expect(c.violations.map(\.invariant) == ["applied monotonic", "applied monotonic"])
        c.restarted(1)
        c.noteApplied(node: 1, entries: [Entry(term: 1, index: 1)], at: 0)
        #expect(c.violations.count == 2)
    }

    @Test func leaderCompletenessIgnoresCommitsSeenInLaterTerms() {
        // A stale candidate may still win an older term after a later one committed more.
        let c = InvariantChecker(seed: 0)
        c.noteProgress(node: 1, term: 4, commit: 10, commitTerm: 4, applied: 0, at: 0)
        c.noteBecameLeader(node: 2, term: 3, at: 0, termAt: { _ in nil }, compacted: { _ in false })
        #expect(c.violations.isEmpty)
        c.noteBecameLeader(node: 2, term: 5, at: 0, termAt: { _ in nil }, compacted: { _ in false })
        #expect(c.violations.map(\.invariant) == ["leader completeness"])
    }

    @Test func hookChecksSnapshotsAgainstEachOtherAndTheAppliedLog() {
        let c = InvariantChecker(seed: 0)
        let at8 = SnapshotMetadata(index: 8, term: 2)
        c.noteSnapshot(node: 1, metadata: at8, data: [1, 2], at: 0)
        c.noteSnapshot(node: 2, metadata: at8, data: [1, 2], at: 0)
        c.noteApplied(node: 3, entries: [Entry(term: 2, index: 8, data: [5])], at: 0)
        #expect(c.violations.isEmpty, "the same snapshot twice, and the entry it covers")
        c.noteSnapshot(node: 3, metadata: at8, data: [1, 3], at: 0)
        #expect(c.violations.map(\.invariant) == ["state machine safety"])
        #expect(c.violations[0].nodes == [1, 3])

        let d = InvariantChecker(seed: 0)
        d.noteSnapshot(node: 1, metadata: SnapshotMetadata(index: 8, term: 2), data: [], at: 0)
        d.noteSnapshot(node: 2, metadata: SnapshotMetadata(index: 8, term: 3), data: [], at: 0)
        #expect(d.violations.map(\.invariant) == ["log matching"])

        // An entry of another term applied where a snapshot sits, in either order.
        let e = InvariantChecker(seed: 0)
        e.noteSnapshot(node: 1, metadata: SnapshotMetadata(index: 4, term: 2), data: [], at: 0)
        e.noteApplied(node: 2, entries: [Entry(term: 3, index: 4, data: [1])], at: 0)
        e.noteApplied(node: 2, entries: [Entry(term: 3, index: 6, data: [1])], at: 0)
        e.noteSnapshot(node: 1, metadata: SnapshotMetadata(index: 6, term: 2), data: [], at: 0)
        #expect(e.violations.map(\.invariant) == ["log matching", "log matching"])
        // A state machine that cannot load a snapshot stops the run.
        e.nodeFailed(node: 5, detail: "bad snapshot", at: 0)
        #expect(e.violations.last?.invariant == "state machine failure" && e.violations.last?.nodes == [5])
    }

    @Test func leaderCompletenessCountsTheSnapshot() {
        let c = InvariantChecker(seed: 0)
        c.noteProgress(node: 1, term: 2, commit: 10, commitTerm: 2, applied: 0, at: 0)
        // A leader whose snapshot covers the committed entry.
        c.noteBecameLeader(node: 2, term: 3, at: 0, termAt: { $0 == 12 ? 2 : nil }, compacted: { $0 < 12 })
        #expect(c.violations.isEmpty)
        // One whose snapshot sits exactly there, with the right term, then the wrong one.
        c.noteBecameLeader(node: 3, term: 4, at: 0, termAt: { $0 == 10 ? 2 : nil }, compacted: { $0 < 10 })
        #expect(c.violations.isEmpty)
        c.noteBecameLeader(node: 4, term: 5, at: 0, termAt: { $0 == 10 ? 1 : nil }, compacted: { $0 < 10 })
        #expect(c.violations.map(\.invariant) == ["leader completeness"])
    }

    @Test func violationDescription() {
        let v = Violation(invariant: "election safety", nodes: [3, 1, 3], detail: "nodes 1 and 3 both led term 2",
                          time: 1_234_567_890, seed: 42)
        #expect(v.nodes == [1, 3])
        #expect(v.description == "invariant violated: election safety on nodes [1, 3] at t=1.234s (seed 42): nodes 1 and 3 both led term 2")
        #expect(TimeFormat.seconds(5_000_000) == "0.005s")
        #expect(TimeFormat.instant(1_999_999_999) == "t=1.999s")
    }
}
