import Testing
import RaftCore
import Sim
import TestSupport

/// The shared `LogStorage` checks on the simulated disk; a restart follows a crash, which keeps
/// only what was synced.
@Suite struct SimDiskConformanceTests {
    @Test(arguments: LogStorageCheck.allCases, LogStorageCheck.starts)
    func simDisk(_ check: LogStorageCheck, _ start: SnapshotMetadata) throws {
        let driver = LogStorageDriver<SimDisk>(
            make: { SimDisk(startingAfter: $0) },
            write: { disk, hardState, entries, sync in disk.write(hardState: hardState, entries: entries, sync: sync) },
            saveSnapshot: { disk, snapshot, replacingLog in
                disk.write(snapshot: snapshot, replacingLog: replacingLog, hardState: nil, entries: [], sync: true)
            },
            restart: { disk in
                var crashed = disk
                crashed.crash()
                return crashed
            })
        try check.run(driver, startingAfter: start)
    }

    @Test func aCrashLosesTheUnsyncedCommitIndexOnly() {
        var disk = SimDisk()
        let entries = [Entry(term: 1, index: 1), Entry(term: 1, index: 2)]
        disk.write(hardState: HardState(term: 1, vote: 1, commit: 1), entries: entries, sync: true)
        disk.write(hardState: HardState(term: 1, vote: 1, commit: 2), entries: [], sync: false)
        disk.crash()
        #expect(disk.hardState == HardState(term: 1, vote: 1, commit: 1))
        #expect(disk.entries(in: 1 ..< 3) == entries)
    }
}
