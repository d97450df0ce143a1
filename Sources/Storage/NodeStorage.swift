#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RaftCore

public struct StorageOptions: Sendable {
    /// A segment is closed, and the next one started, before a record would take it past this size
    /// (a record larger than this gets a segment of its own).
    public var segmentBytes: Int = 8 << 20
    /// Whether to fsync at all. Off only for tests and benchmarks that measure everything else:
    /// without it nothing survives a power failure.
    public var fsync: Bool = true
    /// Whether the segment is extended with zeros ahead of its records, `preallocationChunk` bytes
    /// at a time (only with fsync on; the zeros go out in the same write as the record that needs
    /// them). Records then mostly overwrite allocated blocks, and syncing them is an `fdatasync`
    /// that commits no file-system journal: on ext4 here, p50 47 µs and p99 under 0.11 ms against
    /// 72 µs and 1.4 to 4 ms for append-and-fsync while other processes wrote (etcd preallocates
    /// its WAL too). Recovery reads a zero tail as the free end of a segment.
    public var preallocate: Bool = true
    /// Bytes of zeros added at a time when records reach the end of what was preallocated.
    public var preallocationChunk: Int = 256 << 10
    /// Whether the log is written with direct, synchronous writes (`O_DIRECT | O_DSYNC`, only with
    /// fsync and preallocation on, and where the file system has direct I/O): a sync is then one
    /// `pwrite` of the records collected since the last one, in whole blocks, that returns once
    /// they are durable, instead of a write into the page cache per save and an `fdatasync` (see
    /// `DirectSegmentWriter` for what it saves). Records saved without `sync` stay in memory until
    /// the next sync; they were never promised durable.
    public var directWrites: Bool = true

    public init() {}

    public init(segmentBytes: Int = 8 << 20, fsync: Bool = true, preallocate: Bool = true, directWrites: Bool = true) {
        self.segmentBytes = segmentBytes
        self.fsync = fsync
        self.preallocate = preallocate
        self.directWrites = directWrites
    }

    /// Whether the log is opened for direct writes (where the file system has them).
    var usesDirectWrites: Bool { fsync && preallocate && directWrites }
}

/// One node's durable state in a data directory:
/// - `meta`: format version, node id, cluster id; written once, when the directory is created;
/// - `hardstate`: term, vote and commit, with a CRC; replaced atomically (temp file, fsync, rename, directory fsync);
/// - `wal/000000000001.log`, ...: the write-ahead log, records of `[u32 length][u32 CRC-32C][payload]`;
/// - `snap/<index>.snap`: the latest two snapshots (`SnapshotFile`), each written atomically.
///
/// It is the node's `LogStorage`: the Raft core restarts from it. The log it holds is also kept in
/// memory (entries share their data with the core's copy), and may start at any index: right after
/// the latest snapshot, right after the point a start record of the write-ahead log names, or at 1.
///
/// Snapshots (`saveSnapshot`): the node's own keeps the log after its index; one installed from the
/// leader replaces the log, which a snapshot record in the write-ahead log marks (written and
/// synced before the file, so that a crash in between is recognised and undone). After each
/// snapshot the write-ahead log moves on to a new segment, snapshot files older than the previous
/// snapshot are deleted, and so are the segments whose records all lie at or below it: the previous
/// snapshot and the log after it stay, so that a newest snapshot found corrupt on recovery can be
/// replaced by the previous one (see `recoverLog`).
///
/// Durability: `save(..., sync: true)` returns only once everything it wrote is on stable storage,
/// with one fsync per touched file however many entries it carries (group commit). The log's sync
/// is, where the file system has direct I/O, the write itself: everything saved since the last
/// sync goes out in one direct synchronous write (`StorageOptions.directWrites`,
/// `DirectSegmentWriter`); elsewhere each save writes through the page cache and the sync is an
/// `fdatasync`. Hard state
/// whose term or vote changed is always written durably, after the log it refers to. A hard state
/// that only advances `commit` and is saved without `sync` is kept in memory and written with the
/// next synced save or by `close()`: the commit index may be rebuilt after a crash, so losing it is safe.
///
/// After an I/O error in `save` the instance refuses further work (the on-disk state is whatever
/// recovery makes of it); reopen the directory to continue.
///
/// Safe to use from several threads: every method takes an internal lock.
public final class NodeStorage: LogStorage, @unchecked Sendable {
    public let directory: String
    public let nodeID: UInt64
    public let clusterID: String
    /// What recovery did to the log on open, for the node's log (e.g. the torn tail it truncated); nil if nothing.
    public let recoveryNote: String?

    private let options: StorageOptions
    private let io: DiskIO
    private let walDirectory: String
    private let snapDirectory: String
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// The indexes of the snapshot files kept, ascending (at most two after a save).
    private var snapshotFiles: [LogIndex]
    /// The first segment still on disk, and the highest index each segment's records mention.
    private var firstSegment: UInt64
    private var segmentMaxIndex: [UInt64: LogIndex]

    private var segmentNumber: UInt64
    /// The open segment's path (for error messages), kept rather than rebuilt at every write.
    private var segmentPath: String
    private var segmentFD: Int32
    private var segmentSize: Int
    /// The size of the segment's file: records end at `segmentSize`, zeros fill the rest.
    private var preallocatedEnd: Int
    /// Writes the open segment when `options.directWrites` applies; nil: writes go through the page cache.
    private var direct: DirectSegmentWriter?
    /// The file offset the next direct write must reach (zeros after the records: preallocation).
    private var directExtent = 0
    /// Bytes written to the open segment since its last fsync.
    private var walDirty = false
    /// The log as recovered and saved since (its `hardState` is not used: see the two below).
    private var held: PersistentState
    private var durableHardState: HardState
    /// A commit-only change saved without sync, not yet written.
    private var pendingHardState: HardState?
    private var failure: StorageError?
    private var closed = false

    private init(directory: String, nodeID: UInt64, clusterID: String, options: StorageOptions, io: DiskIO,
                 segmentNumber: UInt64, segmentFD: Int32, direct: DirectSegmentWriter?, segmentSize: Int,
                 fileSize: Int, log: PersistentState,
                 hardState: HardState, recoveryNote: String?, snapshotFiles: [LogIndex], firstSegment: UInt64,
                 segmentMaxIndex: [UInt64: LogIndex]) {
        self.directory = directory
        self.nodeID = nodeID
        self.clusterID = clusterID
        self.options = options
        self.io = io
        self.walDirectory = directory + "/wal"
        self.snapDirectory = directory + "/snap"
        self.snapshotFiles = snapshotFiles
        self.firstSegment = firstSegment
        self.segmentMaxIndex = segmentMaxIndex
        self.segmentNumber = segmentNumber
        self.segmentPath = directory + "/wal/" + SegmentName.name(segmentNumber)
        self.segmentFD = segmentFD
        self.direct = direct
        self.segmentSize = segmentSize
        self.preallocatedEnd = fileSize
        self.held = log
        self.durableHardState = hardState
        self.recoveryNote = recoveryNote
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        close()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    // MARK: - Public API

    /// Opens the data directory of node `nodeID` of cluster `clusterID`, creating it if it does not
    /// exist (or is empty), and recovers the log. The Raft core restarts from the storage returned.
    ///
    /// Throws, changing nothing on disk, when the directory belongs to another node or cluster,
    /// is not a directory or not writable, holds other files but no `meta`, or when `meta`,
    /// `hardstate` or a log record other than a torn last one is corrupt (the error names the file
    /// and byte offset), or when the newest snapshot file is corrupt and no older one with the log
    /// after it covers it (the error names the snapshot file). A torn last record (a crash during an
    /// unsynced write) is truncated; a corrupt snapshot that an older one covers is renamed
    /// `<name>.corrupt`; both are told in `recoveryNote`.
    public static func open(
        directory: String, nodeID: UInt64, clusterID: String, options: StorageOptions = StorageOptions()
    ) throws(StorageError) -> NodeStorage {
        guard nodeID != noNode else {
            throw StorageError(message: "node id must be 1 or more, not 0 (data directory \(directory))", path: directory)
        }
        guard !clusterID.isEmpty, clusterID.utf8.count <= 1024,
              !clusterID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StorageError(
                message: "cluster id \(String(reflecting: clusterID)) must be 1 to 1024 bytes without control characters",
                path: directory)
        }
        guard options.segmentBytes > 0 else {
            throw StorageError(message: "segment size must be positive, not \(options.segmentBytes)", path: directory)
        }
        var dir = directory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        let io = DiskIO(fsyncEnabled: options.fsync)

        // The directory itself.
        // A path through a regular file (ENOTDIR) is reported by makeDirectories, naming that file.
        switch (try? io.kind(of: dir)) ?? .missing {
        case .missing: try io.makeDirectories(dir)
        case .directory: break
        case .file, .other: throw StorageError(message: "data directory \(dir) exists and is not a directory", path: dir)
        }
        try io.checkAccess(dir)

        // Identity first: nothing else is read or written in a directory that is not ours.
        let metaPath = dir + "/meta"
        switch try io.kind(of: metaPath) {
        case .file: break
        case .missing:
            let others = try io.list(dir).filter { $0 != "meta.tmp" }
            guard others.isEmpty else {
                throw StorageError(
                    message: "data directory \(dir) has no meta file but is not empty (it holds "
                        + others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", ..." : "")
                        + "); refusing to use it (nothing was modified)",
                    path: dir)
            }
            try io.replaceFile(directory: dir, name: "meta", data: Meta(nodeID: nodeID, clusterID: clusterID).encoded)
        case .directory, .other:
            throw StorageError(message: "meta file \(metaPath) is not a regular file; refusing to start", path: metaPath)
        }
        let meta = try Meta.decode(io.readFile(metaPath), path: metaPath)
        guard meta.nodeID == nodeID, meta.clusterID == clusterID else {
            throw StorageError(
                message: "data directory \(dir) belongs to node \(meta.nodeID) of cluster \(meta.clusterID), "
                    + "not node \(nodeID) of cluster \(clusterID); refusing to open it (nothing was modified)",
                path: metaPath)
        }

        // Read and check everything before changing anything.
        let hardStatePath = dir + "/hardstate"
        let walDir = dir + "/wal"
        let snapDir = dir + "/snap"
        let hardStateKind = try io.kind(of: hardStatePath)
        var hardState = HardState()
        switch hardStateKind {
        case .file: hardState = try HardStateFile.decode(io.readFile(hardStatePath), path: hardStatePath)
        case .missing: break
        case .directory, .other:
            throw StorageError(message: "hard-state file \(hardStatePath) is not a regular file; refusing to start",
                               path: hardStatePath)
        }
        let walKind = try io.kind(of: walDir)
        var log = RecoveredLog()
        var scanSegments: [UInt64] = []
        var segmentMax: [UInt64: LogIndex] = [:]
        var lastSegmentSize = 0
        switch walKind {
        case .directory:
            log = try recoverLog(walDirectory: walDir, snapshotDirectory: snapDir, io: io)
            let scan = log.wal
            scanSegments = scan.segments
            for (i, n) in scan.segments.enumerated() { segmentMax[n] = scan.segmentMaxIndex[i] }
            lastSegmentSize = scan.lastSegmentSize
        case .missing:
            if hardStateKind != .missing {
                throw StorageError(
                    message: "data directory \(dir) has a hard-state file but no wal directory: the log is lost; "
                        + "refusing to start (nothing was modified)",
                    path: walDir)
            }
        case .file, .other:
            throw StorageError(message: "\(walDir) is not a directory; refusing to start", path: walDir)
        }
        if hardStateKind == .missing && log.records > 0 {
            throw StorageError(
                message: "hard-state file \(hardStatePath) is missing but the log holds \(log.records) records: "
                    + "term and vote are lost; refusing to start (nothing was modified)",
                path: hardStatePath)
        }
        let lastIndex = log.state.lastIndex
        if hardState.commit > lastIndex {
            throw StorageError(
                message: "hard-state file \(hardStatePath) says entries up to \(hardState.commit) are committed, "
                    + "but the log in \(walDir) ends at index \(lastIndex): committed entries are lost; "
                    + "refusing to start (nothing was modified)",
                path: hardStatePath)
        }

        // Now complete what an interrupted creation left undone, cut a torn tail (or a snapshot
        // record whose file was never written), and set aside what recovery could not use.
        if walKind == .missing { try io.makeDirectory(walDir) }
        let number = scanSegments.last ?? 1
        let segmentPath = walDir + "/" + SegmentName.name(number)
        let fd: Int32
        var size = lastSegmentSize
        var notes: [String] = []
        if scanSegments.isEmpty {
            fd = try io.open(segmentPath, O_RDWR | O_CREAT | O_EXCL, what: "create")
            do { try io.syncDirectory(walDir) } catch { io.close(fd); throw error }
            size = 0
        } else {
            fd = try io.open(segmentPath, O_RDWR, what: "open for writing")
            if let cut = log.cutAt {
                do {
                    try io.truncate(fd, to: cut, path: segmentPath)
                    try io.sync(fd, path: segmentPath)
                } catch {
                    io.close(fd)
                    throw error
                }
                size = cut
                if let n = log.cutNote { notes.append(n) }
            }
        }
        do {
            for path in log.temporaryFiles { try io.removeFile(path) }
            for path in log.corruptFiles { try io.renameFile(path, to: path + ".corrupt") }
            if !log.temporaryFiles.isEmpty || !log.corruptFiles.isEmpty { try io.syncDirectory(snapDir) }
        } catch {
            io.close(fd)
            throw error
        }
        let fileSize: Int
        do { fileSize = try io.size(of: fd, path: segmentPath) } catch { io.close(fd); throw error }
        var direct: DirectSegmentWriter?
        if options.usesDirectWrites {
            do { direct = try DirectSegmentWriter.open(segmentPath, recordsEnd: size) } catch { io.close(fd); throw error }
        }
        if let n = log.snapshotNote { notes.append(n) }
        let note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        if hardStateKind == .missing {
            do {
                try io.replaceFile(directory: dir, name: "hardstate", data: HardStateFile.encode(hardState))
            } catch {
                io.close(fd)
                throw error
            }
        }
        let storage = NodeStorage(
            directory: dir, nodeID: nodeID, clusterID: clusterID, options: options, io: io,
            segmentNumber: number, segmentFD: fd, direct: direct, segmentSize: size, fileSize: fileSize, log: log.state,
            hardState: hardState, recoveryNote: note, snapshotFiles: log.snapshots,
            firstSegment: scanSegments.first ?? number, segmentMaxIndex: segmentMax)
        return storage
    }

    /// Everything a `Ready` asks to store, in order: its snapshot (`saveSnapshot`), then its entries
    /// and hard state (`save(hardState:entries:sync:)`); nothing when it holds none of these.
    public func save(_ rd: Ready) throws(StorageError) {
        if let s = rd.snapshot { try saveSnapshot(s, replacingLog: rd.installsSnapshot) }
        if rd.hardState != nil || !rd.entries.isEmpty {
            try save(hardState: rd.hardState, entries: rd.entries, sync: rd.mustSync)
        }
    }

    /// One Ready's worth of storage work. `entries` replace any stored entries from
    /// `entries.first!.index` on (they must be contiguous and start in `firstIndex ... lastIndex + 1`);
    /// `hardState`, if given, replaces the stored one: at once when its term or vote changed, else
    /// (a new commit index) with the next such change or at close. With `sync`, the entries and any
    /// term or vote are on stable storage when this returns, at the cost of one fsync per file
    /// touched, not per entry.
    public func save(hardState: HardState?, entries: [Entry], sync: Bool) throws(StorageError) {
        try locked { () throws(StorageError) in
            try checkUsable()
            let last = held.lastIndex
            var newLast = last
            if let first = entries.first {
                guard first.index >= held.firstIndex, first.index <= last + 1 else {
                    throw StorageError(
                        message: "cannot save entries starting at index \(first.index): the log in \(walDirectory) "
                            + "holds \(held.firstIndex)...\(last), so they must start between \(held.firstIndex) and \(last + 1)",
                        path: walDirectory)
                }
                for (a, b) in zip(entries, entries.dropFirst()) where b.index != a.index + 1 {
                    throw StorageError(
                        message: "cannot save entries that are not contiguous: index \(b.index) follows \(a.index)",
                        path: walDirectory)
                }
                newLast = entries[entries.count - 1].index
            }
            if let hs = hardState, hs.commit > newLast {
                throw StorageError(
                    message: "cannot save commit index \(hs.commit) beyond the last log index \(newLast)",
                    path: directory + "/hardstate")
            }
            do throws(StorageError) {
                try appendToLog(entries)
                held.append(entries)

                var toWrite: HardState?
                if let hs = hardState {
                    if hs == durableHardState {
                        pendingHardState = nil
                    } else if hs.term != durableHardState.term || hs.vote != durableHardState.vote {
                        toWrite = hs
                    } else {
                        pendingHardState = hs
                    }
                }
                // A commit index alone is not written at once: Raft needs term and vote durable
                // before a node answers, not its commit (a restarted node learns it again from the
                // leader). It goes to disk with the next term or vote change, or at close, so that a
                // loaded node pays one fsync per save, not three (issue 16).
                if sync || toWrite != nil { try syncLog() }
                if let hs = toWrite { try writeHardState(hs) }
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Makes every entry saved without `sync` so far durable, with one sync of the log: how a writer
    /// that saves several Readies in a row (group commit) finishes the batch.
    public func sync() throws(StorageError) {
        try locked { () throws(StorageError) in
            try checkUsable()
            do throws(StorageError) {
                try syncLog()
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Stores `snapshot` durably and makes the log start right after it, as a `Ready` asks
    /// (`replacingLog` is its `installsSnapshot`): the node's own keeps the entries after its index
    /// (provided the log holds that index with its term; otherwise it replaces the log too), one from
    /// the leader replaces the log. A snapshot no newer than the one held changes nothing.
    ///
    /// A snapshot that replaces the log is first marked in the write-ahead log (synced), then its
    /// file is written (temporary file, fsync, rename, fsync of `snap/`); then the log moves to a new
    /// segment and what the previous snapshot covers is deleted (see the type's description).
    public func saveSnapshot(_ snapshot: Snapshot, replacingLog: Bool) throws(StorageError) {
        try locked { () throws(StorageError) in
            try checkUsable()
            guard snapshot.index > held.snapshot.index else { return }
            let replaces = replacingLog || held.term(at: snapshot.index) != snapshot.term
            do throws(StorageError) {
                if replaces {
                    try appendRecords([.snapshot(snapshot.metadata)])
                    try syncLog()
                }
                if try io.kind(of: snapDirectory) == .missing { try io.makeDirectory(snapDirectory) }
                try io.replaceFile(directory: snapDirectory, name: SnapshotFile.name(snapshot.index),
                                   data: SnapshotFile.encode(snapshot))
                held.saveSnapshot(snapshot, replacingLog: replaces)
                snapshotFiles.append(snapshot.index)
                try dropWhatSnapshotsCover()
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// After a snapshot: start a new segment, keep the newest two snapshot files, and delete the
    /// segments (never the current one) whose records all lie at or below the older of the two.
    private func dropWhatSnapshotsCover() throws(StorageError) {
        if segmentSize > 0 { try startNextSegment() }
        var removedSnapshots = false
        while snapshotFiles.count > 2 {
            try io.removeFile(snapDirectory + "/" + SnapshotFile.name(snapshotFiles.removeFirst()))
            removedSnapshots = true
        }
        if removedSnapshots { try io.syncDirectory(snapDirectory) }
        guard let floor = snapshotFiles.first else { return }
        var removedSegments = false
        while firstSegment < segmentNumber, (segmentMaxIndex[firstSegment] ?? 0) <= floor {
            try io.removeFile(walDirectory + "/" + SegmentName.name(firstSegment))
            segmentMaxIndex[firstSegment] = nil
            firstSegment += 1
            removedSegments = true
        }
        if removedSegments { try io.syncDirectory(walDirectory) }
    }

    /// Empties the log and makes it start right after `point`, durably (a start record in the
    /// write-ahead log, synced), with no snapshot data: how tests make a log that starts after
    /// index 1 without a snapshot.
    func startLog(after point: SnapshotMetadata) throws(StorageError) {
        try locked { () throws(StorageError) in
            try checkUsable()
            do throws(StorageError) {
                try appendRecords([.start(after: point)])
                try syncLog()
                held = PersistentState(snapshot: point)
            } catch {
                failure = error
                throw error
            }
        }
    }

    // MARK: - Reading (LogStorage)

    /// The latest hard state saved (possibly a commit-only change not yet written).
    public var hardState: HardState { lockedValue { pendingHardState ?? durableHardState } }
    /// The index of the first entry in the log: 1, or one past the latest snapshot (or the point a
    /// start record named).
    public var firstIndex: LogIndex { lockedValue { held.firstIndex } }
    /// The index of the last entry in the log; `firstIndex - 1` if it is empty.
    public var lastIndex: LogIndex { lockedValue { held.lastIndex } }
    /// The latest snapshot, or the point a start record named (`.none` if neither).
    public var snapshot: SnapshotMetadata { lockedValue { held.snapshot } }
    public var snapshotData: [UInt8] { lockedValue { held.snapshotData } }
    public func term(at index: LogIndex) -> Term? { lockedValue { held.term(at: index) } }
    public func entries(in range: Range<LogIndex>) -> [Entry]? { lockedValue { held.entries(in: range) } }

    /// Writes any hard state still held in memory, syncs the log and closes the files. Errors are
    /// ignored here; they would surface on the next open. Further `save` calls throw.
    public func close() {
        lockedValue {
            guard !closed else { return }
            if failure == nil {
                try? syncLog()
                if let pending = pendingHardState { try? writeHardState(pending) }
            }
            io.close(segmentFD)
            direct?.closeFile()
            closed = true
        }
    }

    /// Whether the open segment is written with direct, synchronous writes (`StorageOptions.directWrites`).
    public var writesDirectly: Bool { lockedValue { direct != nil } }

    /// fsyncs done since open (of files and directories), for benchmarks. A direct, synchronous write of
    /// the log counts as one.
    public var fsyncCount: Int { lockedValue { io.fsyncs } }
    /// Bytes written since open (log records, hard state, meta), for benchmarks.
    public var bytesWritten: Int { lockedValue { io.bytes } }

    // MARK: - Writing

    private func checkUsable() throws(StorageError) {
        if closed { throw StorageError(message: "storage of \(directory) is closed", path: directory) }
        if let failure {
            throw StorageError(
                message: "storage of \(directory) stopped after an earlier error (\(failure.message)); reopen it to recover",
                path: failure.path, offset: failure.offset)
        }
    }

    private func appendToLog(_ entries: [Entry]) throws(StorageError) {
        guard let first = entries.first else { return }
        var records: [WALRecord] = []
        records.reserveCapacity(entries.count + 1)
        if first.index <= held.lastIndex { records.append(.truncate(from: first.index)) }
        for e in entries { records.append(.entry(e)) }
        try appendRecords(records)
    }

    private func appendRecords(_ records: [WALRecord]) throws(StorageError) {
        var buffer: [UInt8] = []
        for record in records {
            let size = WALFormat.encodedSize(record)
            let used = segmentSize + buffer.count
            if used > 0 && used + size > options.segmentBytes {
                try writeToSegment(buffer)
                buffer.removeAll(keepingCapacity: true)
                try startNextSegment()
            }
            WALFormat.append(record, to: &buffer)
            switch record {
            case .entry(let e): segmentMaxIndex[segmentNumber] = max(segmentMaxIndex[segmentNumber] ?? 0, e.index)
            case .start(let p), .snapshot(let p):
                segmentMaxIndex[segmentNumber] = max(segmentMaxIndex[segmentNumber] ?? 0, p.index)
            case .truncate: break
            }
        }
        try writeToSegment(buffer)
    }

    private func writeToSegment(_ records: [UInt8]) throws(StorageError) {
        guard !records.isEmpty else { return }
        let end = segmentSize + records.count
        var extent = end
        if options.fsync && options.preallocate && end > preallocatedEnd {
            // Zeros after the records, in the same write: the next records overwrite them.
            extent = max(end, min(preallocatedEnd + options.preallocationChunk, options.segmentBytes))
        }
        if let direct {
            direct.append(records)
            directExtent = max(directExtent, extent)
        } else {
            var bytes = records
            bytes.append(contentsOf: repeatElement(0, count: extent - end))
            do {
                try io.write(segmentFD, bytes, at: segmentSize, path: segmentPath)
            } catch {
                // Best effort: leave no partial record behind (recovery would cut it anyway).
                try? io.truncate(segmentFD, to: segmentSize, path: segmentPath)
                throw error
            }
        }
        preallocatedEnd = max(preallocatedEnd, extent)
        segmentSize = end
        walDirty = true
    }

    /// Closes the current segment durably, so that only the last segment can ever end in a torn
    /// record, and starts the next one.
    private func startNextSegment() throws(StorageError) {
        try syncLog()
        let next = segmentNumber + 1
        let path = walDirectory + "/" + SegmentName.name(next)
        let fd = try io.open(path, O_RDWR | O_CREAT | O_EXCL, what: "create")
        var nextDirect: DirectSegmentWriter?
        if direct != nil {
            do { nextDirect = try DirectSegmentWriter.open(path, recordsEnd: 0) } catch { io.close(fd); throw error }
        }
        io.close(segmentFD)
        direct?.closeFile()
        segmentFD = fd
        direct = nextDirect
        segmentNumber = next
        segmentPath = path
        segmentSize = 0
        preallocatedEnd = 0
        try io.syncDirectory(walDirectory)
    }

    private func syncLog() throws(StorageError) {
        guard walDirty else { return }
        if let direct {
            let end = try direct.flush(through: directExtent, io: io, path: segmentPath)
            preallocatedEnd = max(preallocatedEnd, end)
            directExtent = 0
        } else {
            try io.datasync(segmentFD, path: segmentPath)
        }
        walDirty = false
    }

    private func writeHardState(_ hs: HardState) throws(StorageError) {
        try io.replaceFile(directory: directory, name: "hardstate", data: HardStateFile.encode(hs))
        durableHardState = hs
        pendingHardState = nil
    }

    // MARK: - Locking

    private func locked<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    private func lockedValue<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
