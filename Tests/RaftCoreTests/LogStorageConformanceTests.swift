import Testing
import RaftCore

/// The shared `LogStorage` checks, on the core's in-memory `PersistentState` and on the harness's
/// `MemoryStorage`.
@Suite struct LogStorageConformanceTests {
    @Test(arguments: LogStorageCheck.allCases, LogStorageCheck.starts)
    func persistentState(_ check: LogStorageCheck, _ start: SnapshotMetadata) throws {
        let driver = LogStorageDriver<PersistentState>(
            make: { PersistentState(snapshot: $0) },
            write: { state, hardState, entries, _ in
                if let hardState { state.hardState = hardState }
                state.append(entries)
            },
            saveSnapshot: { state, snapshot, replacingLog in state.saveSnapshot(snapshot, replacingLog: replacingLog) },
            restart: { $0 })
        try check.run(driver, startingAfter: start)
    }

    @Test(arguments: LogStorageCheck.allCases, LogStorageCheck.starts)
    func memoryStorage(_ check: LogStorageCheck, _ start: SnapshotMetadata) throws {
        let driver = LogStorageDriver<MemoryStorage>(
            make: { MemoryStorage(PersistentState(snapshot: $0)) },
            write: { storage, hardState, entries, sync in storage.write(hardState: hardState, entries: entries, sync: sync) },
            saveSnapshot: { storage, snapshot, replacingLog in storage.saveSnapshot(snapshot, replacingLog: replacingLog) },
            restart: { $0 })
        try check.run(driver, startingAfter: start)
    }
}
