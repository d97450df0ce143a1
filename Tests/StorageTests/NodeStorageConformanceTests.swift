import Foundation
import RaftCore
import Testing
@testable import Storage

/// The shared `LogStorage` checks on the write-ahead log storage. A log that starts after index 1
/// is made with a start record; a restart opens a copy of the directory as the process left it
/// (a crash: nothing held in memory, such as an unsynced commit index, reaches it).
@Suite struct NodeStorageConformanceTests {
    @Test(arguments: LogStorageCheck.allCases, LogStorageCheck.starts)
    func nodeStorage(_ check: LogStorageCheck, _ start: SnapshotMetadata) throws {
        let options = StorageOptions(fsync: false)
        func open(_ dir: String) throws -> NodeStorage {
            try NodeStorage.open(directory: dir, nodeID: 1, clusterID: "c1", options: options)
        }
        // Each storage lives in a temporary directory of its own, removed with it.
        func dispose(_ storage: NodeStorage) {
            storage.close()
            try? FileManager.default.removeItem(atPath: (storage.directory as NSString).deletingLastPathComponent)
        }
        let driver = LogStorageDriver<NodeStorage>(
            make: { start in
                let storage = try open(TempDir().sub("d"))
                if start != .none { try storage.startLog(after: start) }
                return storage
            },
            write: { storage, hardState, entries, sync in try storage.save(hardState: hardState, entries: entries, sync: sync) },
            saveSnapshot: { storage, snapshot, replacingLog in try storage.saveSnapshot(snapshot, replacingLog: replacingLog) },
            restart: { crashed in
                let copy = TempDir().sub("d")
                copyTree(crashed.directory, copy)
                dispose(crashed)
                return try open(copy)
            },
            dispose: dispose)
        try check.run(driver, startingAfter: start)
    }
}
