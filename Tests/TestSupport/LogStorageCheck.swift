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
        }
    }

    /// A storage being checked, as the driver makes it and as it is after each restart.
    private struct Session<S: LogStorage> {
        let driver: LogStorageDriver<S>
        var storage: S

        mutating func write(_ hardState: HardState?, _ entries: [Entry], sync: Bool = true) throws {
            try driver.write(&storage, hardState, entries, sync)
        }

        mutating func restart() throws { storage = try driver.restart(storage) }
    }

    /// Entries whose data names their tag and index, so that a replaced entry never reads back equal.
    private func makeEntries(_ indexes: ClosedRange<LogIndex>, term: Term, tag: String) -> [Entry] {
        indexes.map { Entry(term: term, index: $0, data: Array("\(tag)\($0)".utf8)) }
    }

    /// `storage` holds exactly `expected` after `start`, by every read of the protocol.
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
