import RaftCore

/// How the `LogStorage` conformance checks (`LogStorageCheck`) drive one implementation: through
/// its own write API, the way a node's driver persists each `Ready`.
public struct LogStorageDriver<Storage: LogStorage> {
    /// A fresh, empty storage whose log starts right after `start` (`.none`: at index 1).
    public var make: (_ start: SnapshotMetadata) throws -> Storage
    /// One Ready's worth of storage work: store `hardState` if given, and `entries` in place of every
    /// stored entry from their first index on; make it all durable if `sync`.
    public var write: (_ storage: inout Storage, _ hardState: HardState?, _ entries: [Entry], _ sync: Bool) throws -> Void
    /// Stores `snapshot` as a Ready asks (`replacingLog` is its `installsSnapshot`), durably; nil for a
    /// storage that cannot store snapshots (the snapshot checks then refuse to run).
    public var saveSnapshot: ((_ storage: inout Storage, _ snapshot: Snapshot, _ replacingLog: Bool) throws -> Void)?
    /// What the node finds when it restarts after a crash (an in-memory storage: itself).
    public var restart: (_ storage: Storage) throws -> Storage
    /// Releases a storage the checks are done with (closes files, removes directories).
    public var dispose: (_ storage: Storage) -> Void

    public init(make: @escaping (_ start: SnapshotMetadata) throws -> Storage,
                write: @escaping (_ storage: inout Storage, _ hardState: HardState?, _ entries: [Entry], _ sync: Bool) throws -> Void,
                saveSnapshot: ((_ storage: inout Storage, _ snapshot: Snapshot, _ replacingLog: Bool) throws -> Void)?,
                restart: @escaping (_ storage: Storage) throws -> Storage,
                dispose: @escaping (_ storage: Storage) -> Void = { _ in }) {
        self.make = make
        self.write = write
        self.saveSnapshot = saveSnapshot
        self.restart = restart
        self.dispose = dispose
    }
}
