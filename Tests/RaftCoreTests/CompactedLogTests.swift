import Testing
@testable import RaftCore

/// A node restored from a log that starts after index 1 (compacted to index 10 of term 2), driven
/// through inputs and `Ready` only: restore, votes, appends, and a leader whose follower needs what
/// it compacted away.
@Suite struct CompactedLogTests {
    /// Compacted to 10@t2, holding 11...14 of terms 2, 3, 3, 3.
    private static let compactedTo = SnapshotMetadata(index: 10, term: 2)
    private static let terms: [Term] = [2, 3, 3, 3]

    private func compacted(term: Term = 3, commit: LogIndex, terms: [Term] = Self.terms) -> PersistentState {
        PersistentState(hardState: HardState(term: term, vote: noNode, commit: commit),
                        snapshot: Self.compactedTo, entries: makeLog(terms, from: 11))
    }

    @Test func restoresAfterTheCompactionPointAndAppliesOnlyWhatFollowsIt() throws {
        let net = Network(3, storage: [1: compacted(commit: 12)])
        let log = net[1].log
        #expect(log.firstIndex == 11 && log.lastIndex == 14 && log.lastTerm == 3)
        #expect(log.term(at: 10) == 2)
        #expect(log.term(at: 9) == nil)
        #expect(log.committed == 12)
        #expect(net.applied[1]!.map(\.index) == [11, 12])
        #expect(net[1].status.lastIndex == 14)

        // A stored commit index below the compaction point is raised to it: compacted entries are committed.
        let low = Network(3, storage: [1: compacted(commit: 4)])
        #expect(low[1].log.committed == 10 && low[1].log.applied == 10)
        #expect(low.applied[1]!.isEmpty)

        // An empty log after the compaction point still knows its last term.
        let empty = Network(3, storage: [1: compacted(commit: 10, terms: [])])
        #expect(empty[1].log.firstIndex == 11 && empty[1].log.lastIndex == 10 && empty[1].log.lastTerm == 2)
    }

    @Test func aRestartKeepsTheLogStartingAfterTheCompactionPoint() throws {
        let net = Network(3, storage: [1: compacted(commit: 12)])
        net.inject(Message(kind: .append, from: 2, to: 1, term: 4, logTerm: 3, index: 14, commit: 15,
                           entries: [Entry(term: 4, index: 15)]))
        net.crash(1)
        net.restart(1)
        #expect(net[1].log.firstIndex == 11 && net[1].log.lastIndex == 15)
        #expect(net[1].log.term(at: 10) == 2)
        #expect(net.storage[1]!.firstIndex == 11)
        #expect(net[1].term == 4 && net[1].log.committed == 15)
    }

    @Test func storedLogsMustBeContiguousFromTheirFirstIndex() {
        let c = testConfig(id: 1, voters: [1, 2, 3])
        let gap = PersistentState(snapshot: Self.compactedTo, entries: [Entry(term: 2, index: 11), Entry(term: 2, index: 13)])
        #expect(throws: RaftError.invalidConfig("stored log has a gap at index 13")) {
            _ = try RaftNode(config: c, storage: gap, random: SplitMix64(seed: 0))
        }
        let late = PersistentState(snapshot: Self.compactedTo, entries: [Entry(term: 2, index: 12)])
        #expect(throws: RaftError.invalidConfig("stored log starts at index 12, expected 11")) {
            _ = try RaftNode(config: c, storage: late, random: SplitMix64(seed: 0))
        }
        #expect(throws: RaftError.invalidConfig("stored log starts at index 11 but the term of index 10 is unknown")) {
            _ = try RaftNode(config: c, storage: ForgetfulStorage(), random: SplitMix64(seed: 0))
        }
    }

    // MARK: Votes

    /// What node 1, restored from `state`, answers to a vote request of term 5 for a log ending at `index`@`logTerm`.
    private func voteAnswer(_ state: PersistentState, index: LogIndex, logTerm: Term) throws -> Message {
        let net = Network(3, storage: [1: state])
        net.inject(Message(kind: .vote, from: 2, to: 1, term: 5, logTerm: logTerm, index: index))
        return try #require(net.lastReady(1)?.messages.first { $0.kind == .voteResponse })
    }

    @Test func votesByTheUpToDateRuleOnItsLastIndexAndTerm() throws {
        let state = compacted(commit: 10)  // last entry 14@t3
        #expect(try !voteAnswer(state, index: 14, logTerm: 3).reject)
        #expect(try !voteAnswer(state, index: 20, logTerm: 3).reject)
        #expect(try !voteAnswer(state, index: 2, logTerm: 4).reject)
        #expect(try voteAnswer(state, index: 13, logTerm: 3).reject)
        #expect(try voteAnswer(state, index: 20, logTerm: 2).reject)
        // The vote is stored before it is sent, as for any log.
        let net = Network(3, storage: [1: state])
        net.inject(Message(kind: .vote, from: 2, to: 1, term: 5, logTerm: 3, index: 14))
        #expect(net.storage[1]!.hardState == HardState(term: 5, vote: 2, commit: 10))
        #expect(net.durabilityViolations.isEmpty)

        // With nothing after the compaction point, the last entry is the compaction point itself.
        let empty = compacted(commit: 10, terms: [])
        #expect(try !voteAnswer(empty, index: 10, logTerm: 2).reject)
        #expect(try !voteAnswer(empty, index: 3, logTerm: 3).reject)
        #expect(try voteAnswer(empty, index: 9, logTerm: 2).reject)
        #expect(try voteAnswer(empty, index: 0, logTerm: 0).reject)
    }

    // MARK: Appends

    /// Node 1 restored from the compacted log, answering appends of a leader 2 in term 4.
    private func follower() -> Network { Network(3, storage: [1: compacted(commit: 10)]) }

    private func append(_ net: Network, prev: LogIndex, prevTerm: Term, entries: [Entry]) throws -> Ready {
        net.inject(Message(kind: .append, from: 2, to: 1, term: 4, logTerm: prevTerm, index: prev, commit: 10,
                           entries: entries))
        return try #require(net.lastReady(1))
    }

    @Test func acceptsAnAppendRightAfterTheCompactionPoint() throws {
        let net = follower()
        // 11 and 12 match; 13 conflicts and replaces the rest of the log.
        let rd = try append(net, prev: 10, prevTerm: 2, entries: makeLog([2, 3], from: 11) + [Entry(term: 4, index: 13)])
        #expect(rd.entries == [Entry(term: 4, index: 13)])
        #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 4, index: 13)])
        #expect(net.logTerms(1) == [2, 3, 4])
        #expect(net.storage[1]!.firstIndex == 11 && net.storage[1]!.lastIndex == 13)
        #expect(net.storage[1]!.term(at: 13) == 4)
        #expect(net.durabilityViolations.isEmpty)
    }

    @Test func acceptsAnAppendAfterItsLastEntry() throws {
        let net = follower()
        let rd = try append(net, prev: 14, prevTerm: 3, entries: [Entry(term: 4, index: 15)])
        #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 4, index: 15)])
        #expect(net.storage[1]!.lastIndex == 15)
    }

    @Test func rejectsWithAHintWhatItCannotCheck() throws {
        // Beyond the log: the hint is just past the last entry.
        let beyond = follower()
        var rd = try append(beyond, prev: 16, prevTerm: 4, entries: [Entry(term: 4, index: 17)])
        #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 4, logTerm: 0, index: 16,
                                        reject: true, rejectHint: 15)])
        // A different term at prevLogIndex: the conflicting term and where it starts, not before the first index.
        let conflict = follower()
        rd = try append(conflict, prev: 13, prevTerm: 4, entries: [Entry(term: 4, index: 14)])
        #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 4, logTerm: 3, index: 13,
                                        reject: true, rejectHint: 12)])
        let early = Network(3, storage: [1: compacted(commit: 10, terms: [3, 3, 3, 3])])
        rd = try append(early, prev: 13, prevTerm: 4, entries: [Entry(term: 4, index: 14)])
        #expect(rd.messages.map(\.rejectHint) == [11])
        for net in [beyond, conflict, early] { #expect(net[1].log.lastIndex == 14) }
    }

    @Test func anAppendBelowTheCompactionPointIsAnsweredWithTheCommitIndex() throws {
        // Everything up to the commit index (at least the compaction point) matches every leader, so an
        // append from below it is acknowledged there and nothing is appended.
        let net = follower()
        let rd = try append(net, prev: 5, prevTerm: 1, entries: makeLog([1, 1, 2], from: 6))
        #expect(rd.messages == [Message(kind: .appendResponse, from: 1, to: 2, term: 4, index: 10)])
        #expect(rd.entries.isEmpty)
        #expect(net.logTerms(1) == Self.terms)
    }

    // MARK: A leader with a compacted log

    @Test func aLeaderSendsItsSnapshotToAFollowerThatNeedsCompactedEntries() throws {
        // Nodes 1 and 3 compacted to 10 (a log started after that point: its snapshot holds no data);
        // node 2 holds only 1...5.
        let net = Network(3, storage: [1: compacted(commit: 14), 3: compacted(commit: 14),
                                       2: PersistentState(hardState: HardState(term: 2, vote: noNode, commit: 5),
                                                          entries: makeLog([1, 1, 1, 2, 2]))])
        #expect(net.elect(1))
        let leader = net[1]
        #expect(leader.term == 4)
        // Node 2 rejected the append after 14 with a hint of 6; 5 is compacted away on the leader, so
        // it got the snapshot instead, and then the entries after it.
        let rejection = try #require(net.sent.first { $0.kind == .appendResponse && $0.from == 2 && $0.reject })
        #expect(rejection.rejectHint == 6)
        #expect(leader.stats.snapshotsNeeded == 1 && leader.stats.snapshotsSent == 1)
        let chunks = net.sent.filter { $0.kind == .snapshot && $0.to == 2 }.map { $0.snapshot! }
        #expect(chunks == [SnapshotChunk(metadata: Self.compactedTo, offset: 0, data: [], done: true)])
        #expect(net.installed[2]!.map(\.metadata) == [Self.compactedTo])
        #expect(leader.progress[2]!.state == .replicate)
        #expect(leader.followersNeedingSnapshot.isEmpty)
        let appendsTo2 = net.sent.filter { $0.kind == .append && $0.to == 2 }
        #expect(appendsTo2.map(\.index) == [14, 10], "one probe, then the log after the snapshot")
        #expect(appendsTo2.last!.entries.map(\.index) == Array(11...15))
        #expect(net[2].log.firstIndex == 11 && net[2].log.entries == leader.log.entries)
        #expect(net.storage[2]!.snapshot == Self.compactedTo && net.storage[2]!.firstIndex == 11)
        #expect(leader.log.committed == 15 && net[2].log.committed == 15)
        #expect(net.durabilityViolations.isEmpty)
    }

    /// A storage that cannot say the term of the entry before its first one.
    private struct ForgetfulStorage: LogStorage {
        var hardState: HardState { HardState() }
        var firstIndex: LogIndex { 11 }
        var lastIndex: LogIndex { 10 }
        var snapshot: SnapshotMetadata { .none }
        var snapshotData: [UInt8] { [] }
        func term(at index: LogIndex) -> Term? { nil }
        func entries(in range: Range<LogIndex>) -> [Entry]? { [] }
    }
}
