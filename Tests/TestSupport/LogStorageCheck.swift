import RaftCore
import Testing

/// The checks every `LogStorage` implementation must pass, each run through the implementation's
/// own write API (a `LogStorageDriver`) for a log that starts at index 1 and for one that starts
/// after a compaction point (`starts`). A test target runs all of them against its implementation:
///
///     @Test(arguments: LogStorageCheck.allCases, LogStorageCheck.starts)
///     func conformance(_ check: LogStorageCheck, _ start: SnapshotMetadata) throws {
///         try check.run(driver, startingAfter: start)
///     }
public enum LogStorageCheck: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A fresh storage holds no entry, its log starts right after `start` (whose term it knows),
    /// and its hard state is zero.
    case emptyLog
    /// Appended entries read back: first and last index, `term(at:)` from `firstIndex - 1` to
    /// `lastIndex` and nil outside, every range of `entries(in:)`, nil for ranges outside the log.
    case appendedEntriesReadBack
    /// Entries that start inside the log replace everything from their first index on (a shorter
    /// conflicting suffix, the last entry, the whole log); the compaction point stays.
    case conflictingAppendReplacesTheSuffix
    /// The hard state reads back as last written, synced or not.
    case hardStateReadsBackAsWritten
    /// A crash and restart keep the log and compaction point, and the last synced term and vote
    /// (a commit index may come back older than last written, never newer: a restarted node
    /// relearns it from the leader); writing goes on after it.
    case restartRecoversWhatWasSynced
    /// The node's own snapshot (not replacing the log) drops the entries up to its index and keeps
    /// the ones after it; its metadata, membership and data read back; appends go on after it, a
    /// conflicting one replaces the suffix; a restart finds all of it.
    case ownSnapshotCompactsTheLog
    /// A snapshot from the leader (replacing the log) drops every entry, whether it lies inside the
    /// log, at its end or beyond it; the log then starts right after it; a restart finds it.
    case installedSnapshotReplacesTheLog
    /// A snapshot no newer than the one held changes nothing, before and after a restart; a newer one
    /// replaces it.
    case olderSnapshotChangesNothing

    /// Whether this check stores snapshots (through `LogStorageDriver.saveSnapshot`).
    public var needsSnapshots: Bool {
        switch self {
        case .ownSnapshotCompactsTheLog, .installedSnapshotReplacesTheLog, .olderSnapshotChangesNothing: return true
        default: return false
        }
    }

    /// The compaction points every check runs with: none (the log starts at 1), and index 10 of term 3.
    public static let starts: [SnapshotMetadata] = [.none, SnapshotMetadata(index: 10, term: 3)]

    public var testDescription: String { rawValue }

    /// Runs this check on a fresh storage of `driver` whose log starts right after `start`.
    public func run<S: LogStorage>(_ driver: LogStorageDriver<S>, startingAfter start: SnapshotMetadata) throws {
        var s = Session(driver: driver, storage: try driver.make(start))
        defer { driver.dispose(s.storage) }
        let first = start.index + 1
        let term = start.term + 1
        switch self {
        case .emptyLog:
            expectLog(s.storage, start: start, [])
            #expect(s.storage.hardState == HardState())

        case .appendedEntriesReadBack:
            let a = makeEntries(first ... first + 4, term: term, tag: "a")
            try s.write(HardState(term: term, vote: 1), a)
            expectLog(s.storage, start: start, a)
            let b = makeEntries(first + 5 ... first + 7, term: term + 1, tag: "b")
            try s.write(HardState(term: term + 1, vote: 2), b)
            expectLog(s.storage, start: start, a + b)

        case .conflictingAppendReplacesTheSuffix:
            let a = makeEntries(first ... first + 9, term: term, tag: "a")
            try s.write(HardState(term: term, vote: 1), a)
            let b = makeEntries(first + 4 ... first + 5, term: term + 1, tag: "b")
            try s.write(HardState(term: term + 1, vote: 2), b)
            expectLog(s.storage, start: start, a[0 ..< 4] + b)
            let c = makeEntries(first + 6 ... first + 6, term: term + 1, tag: "c")
            try s.write(nil, c)
            expectLog(s.storage, start: start, a[0 ..< 4] + b + c)
            let d = makeEntries(first + 6 ... first + 6, term: term + 2, tag: "d")
            try s.write(HardState(term: term + 2, vote: 3), d)
            expectLog(s.storage, start: start, a[0 ..< 4] + b + d)
            let e = makeEntries(first ... first + 1, term: term + 3, tag: "e")
            try s.write(HardState(term: term + 3, vote: 1), e)
            expectLog(s.storage, start: start, e)

        case .hardStateReadsBackAsWritten:
            let voted = HardState(term: term, vote: 2)
            try s.write(voted, [])
            #expect(s.storage.hardState == voted)
            let committed = HardState(term: term, vote: 2, commit: first + 1)
            try s.write(committed, makeEntries(first ... first + 2, term: term, tag: "a"))
            #expect(s.storage.hardState == committed)
            let unsynced = HardState(term: term, vote: 2, commit: first + 2)
            try s.write(unsynced, [], sync: false)
            #expect(s.storage.hardState == unsynced)
            try s.write(nil, [])
            #expect(s.storage.hardState == unsynced)
            let newTerm = HardState(term: term + 1, vote: noNode, commit: first + 2)
            try s.write(newTerm, [], sync: false)
            #expect(s.storage.hardState == newTerm)

        case .restartRecoversWhatWasSynced:
            let a = makeEntries(first ... first + 5, term: term, tag: "a")
            try s.write(HardState(term: term, vote: 1), a)
            let b = makeEntries(first + 3 ... first + 4, term: term + 1, tag: "b")
            try s.write(HardState(term: term + 1, vote: 2), b)
            let synced = HardState(term: term + 1, vote: 2, commit: first + 2)
            try s.write(synced, [])
            let unsynced = HardState(term: term + 1, vote: 2, commit: first + 4)
            try s.write(unsynced, [], sync: false)
            try s.restart()
            expectLog(s.storage, start: start, a[0 ..< 3] + b)
            let recovered = s.storage.hardState
            #expect(recovered.term == synced.term && recovered.vote == synced.vote && recovered.commit <= unsynced.commit,
                    "recovered \(recovered), last synced \(synced)")
            let c = makeEntries(first + 5 ... first + 5, term: term + 1, tag: "c")
            try s.write(nil, c)
            try s.restart()
            expectLog(s.storage, start: start, a[0 ..< 3] + b + c)
            #expect(s.storage.hardState.term == term + 1 && s.storage.hardState.vote == 2)

        case .ownSnapshotCompactsTheLog:
            let a = makeEntries(first ... first + 7, term: term, tag: "a")
            try s.write(HardState(term: term, vote: 1, commit: first + 5), a)
            let own = makeSnapshot(at: first + 3, term: term, tag: "own")
            try s.saveSnapshot(own, replacingLog: false)
            expectLog(s.storage, start: own.metadata, a[4...])
            #expect(s.storage.snapshotData == own.data)
            let b = makeEntries(first + 8 ... first + 9, term: term, tag: "b")
            try s.write(nil, b)
            expectLog(s.storage, start: own.metadata, a[4...] + b)
            let c = makeEntries(first + 6 ... first + 6, term: term + 1, tag: "c")
            try s.write(HardState(term: term + 1, vote: 2, commit: first + 5), c)
            expectLog(s.storage, start: own.metadata, a[4 ..< 6] + c)
            try s.restart()
            expectLog(s.storage, start: own.metadata, a[4 ..< 6] + c)
            #expect(s.storage.snapshotData == own.data)
            // Compacting the whole log leaves it empty after the snapshot.
            let all = makeSnapshot(at: first + 6, term: term + 1, tag: "all")
            try s.saveSnapshot(all, replacingLog: false)
            expectLog(s.storage, start: all.metadata, [])
            try s.restart()
            expectLog(s.storage, start: all.metadata, [])
            #expect(s.storage.snapshotData == all.data)

        case .installedSnapshotReplacesTheLog:
            let a = makeEntries(first ... first + 5, term: term, tag: "a")
            try s.write(HardState(term: term, vote: 1, commit: first + 1), a)
            // Inside the log, even where the terms agree: the log is replaced all the same.
            let inside = makeSnapshot(at: first + 2, term: term, tag: "inside")
            try s.saveSnapshot(inside, replacingLog: true)
            expectLog(s.storage, start: inside.metadata, [])
            #expect(s.storage.snapshotData == inside.data)
            let b = makeEntries(first + 3 ... first + 4, term: term + 1, tag: "b")
            try s.write(HardState(term: term + 1, vote: 2, commit: first + 3), b)
            expectLog(s.storage, start: inside.metadata, b)
            // Beyond the log.
            let beyond = makeSnapshot(at: first + 20, term: term + 2, tag: "beyond")
            try s.saveSnapshot(beyond, replacingLog: true)
            try s.write(HardState(term: term + 2, vote: 3, commit: first + 20), [])
            expectLog(s.storage, start: beyond.metadata, [])
            try s.restart()
            expectLog(s.storage, start: beyond.metadata, [])
            #expect(s.storage.snapshotData == beyond.data)
            #expect(s.storage.hardState.commit == first + 20)
            let c = makeEntries(first + 21 ... first + 22, term: term + 2, tag: "c")
            try s.write(nil, c)
            try s.restart()
            expectLog(s.storage, start: beyond.metadata, c)

        case .olderSnapshotChangesNothing:
            let a = makeEntries(first ... first + 5, term: term, tag: "a")
            try s.write(HardState(term: term, vote: 1, commit: first + 4), a)
            let held = makeSnapshot(at: first + 3, term: term, tag: "held")
            try s.saveSnapshot(held, replacingLog: false)
            for stale in [makeSnapshot(at: first + 3, term: term, tag: "same"), makeSnapshot(at: first + 1, term: term, tag: "old")] {
                try s.saveSnapshot(stale, replacingLog: false)
                try s.saveSnapshot(stale, replacingLog: true)
            }
            expectLog(s.storage, start: held.metadata, a[4...])
            #expect(s.storage.snapshotData == held.data)
            try s.restart()
            expectLog(s.storage, start: held.metadata, a[4...])
            #expect(s.storage.snapshotData == held.data)
            let newer = makeSnapshot(at: first + 4, term: term, tag: "newer")
            try s.saveSnapshot(newer, replacingLog: false)
            expectLog(s.storage, start: newer.metadata, a[5...])
            #expect(s.storage.snapshotData == newer.data)
        }
    }

    /// A storage being checked, as the driver makes it and as it is after each restart.
    private struct Session<S: LogStorage> {
        let driver: LogStorageDriver<S>
        var storage: S

        mutating func write(_ hardState: HardState?, _ entries: [Entry], sync: Bool = true) throws {
            try driver.write(&storage, hardState, entries, sync)
        }

        mutating func saveSnapshot(_ snapshot: Snapshot, replacingLog: Bool) throws {
            guard let save = driver.saveSnapshot else {
                Issue.record("this storage's driver cannot save snapshots")
                return
            }
            try save(&storage, snapshot, replacingLog)
        }

        mutating func restart() throws { storage = try driver.restart(storage) }
    }

    /// A snapshot at `index` of `term`, with a membership and data that name its tag.
    private func makeSnapshot(at index: LogIndex, term: Term, tag: String) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: Membership(voters: [1, 2, 3], learners: [7])),
                 data: Array("state \(tag) at \(index)".utf8))
    }

    /// Entries whose data names their tag and index, so that a replaced entry never reads back equal.
    private func makeEntries(_ indexes: ClosedRange<LogIndex>, term: Term, tag: String) -> [Entry] {
        indexes.map { Entry(term: term, index: $0, data: Array("\(tag)\($0)".utf8)) }
    }

    /// `storage` holds exactly `expected` after `start` (its snapshot point, membership included), by
    /// every read of the protocol.
    private func expectLog<S: LogStorage>(_ storage: S, start: SnapshotMetadata, _ expected: some Collection<Entry>,
                                          sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Array(expected)
        let first = start.index + 1, last = start.index + LogIndex(expected.count)
        #expect(storage.snapshot == start, sourceLocation: sourceLocation)
        #expect(storage.firstIndex == first, sourceLocation: sourceLocation)
        #expect(storage.lastIndex == last, sourceLocation: sourceLocation)
        #expect(storage.term(at: start.index) == start.term, "the term of firstIndex - 1", sourceLocation: sourceLocation)
        #expect((first ..< last + 1).map { storage.term(at: $0) } == expected.map(\.term), sourceLocation: sourceLocation)
        #expect(storage.term(at: last + 1) == nil, sourceLocation: sourceLocation)
        if start.index > 0 {
            #expect(storage.term(at: start.index - 1) == nil, sourceLocation: sourceLocation)
        }
        var wrongRanges: [Range<LogIndex>] = []
        for lo in first ... last + 1 {
            for hi in lo ... last + 1 where storage.entries(in: lo ..< hi) != Array(expected[Int(lo - first) ..< Int(hi - first)]) {
                wrongRanges.append(lo ..< hi)
            }
        }
        #expect(wrongRanges.isEmpty, "entries(in:) wrong for these ranges", sourceLocation: sourceLocation)
        #expect(storage.entries(in: start.index ..< first) == nil, "a range reaching below the first index",
                sourceLocation: sourceLocation)
        #expect(storage.entries(in: first ..< last + 2) == nil, "a range reaching past the last index",
                sourceLocation: sourceLocation)
    }
}
