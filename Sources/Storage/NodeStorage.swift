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

    public init() {}

    public init(segmentBytes: Int = 8 << 20, fsync: Bool = true) {
        self.segmentBytes = segmentBytes
        self.fsync = fsync
    }
}

/// One node's durable state in a data directory:
/// - `meta`: format version, node id, cluster id; written once, when the directory is created;
/// - `hardstate`: term, vote and commit, with a CRC; replaced atomically (temp file, fsync, rename, directory fsync);
/// - `wal/000000000001.log`, ...: the write-ahead log, records of `[u32 length][u32 CRC-32C][payload]`.
///
/// It is the node's `LogStorage`: the Raft core restarts from it. The log it holds is also kept in
/// memory (entries share their data with the core's copy), and may start at any index: right after
/// the point a start record of the write-ahead log names, or at 1.
///
/// Durability: `save(..., sync: true)` returns only once everything it wrote is on stable storage,
/// with one fsync per touched file however many entries it carries (group commit). Hard state
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
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    private var segmentNumber: UInt64
    private var segmentFD: Int32
    private var segmentSize: Int
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
                 segmentNumber: UInt64, segmentFD: Int32, segmentSize: Int, log: PersistentState,
                 hardState: HardState, recoveryNote: String?) {
        self.directory = directory
        self.nodeID = nodeID
        self.clusterID = clusterID
        self.options = options
        self.io = io
        self.walDirectory = directory + "/wal"
        self.segmentNumber = segmentNumber
        self.segmentFD = segmentFD
        self.segmentSize = segmentSize
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
    /// and byte offset). A torn last record (a crash during an unsynced write) is truncated.
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
        switch walKind {
        case .directory:
            log = try recoverLog(walDirectory: walDir, io: io)
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

        // Now complete what an interrupted creation left undone, and cut a torn tail.
        if walKind == .missing { try io.makeDirectory(walDir) }
        let number = log.segments.last ?? 1
        let segmentPath = walDir + "/" + SegmentName.name(number)
        let fd: Int32
        var size = log.lastSegmentSize
        var note: String?
        if log.segments.isEmpty {
            fd = try io.open(segmentPath, O_RDWR | O_CREAT | O_EXCL, what: "create")
            do { try io.syncDirectory(walDir) } catch { io.close(fd); throw error }
            size = 0
        } else {
            fd = try io.open(segmentPath, O_RDWR, what: "open for writing")
            if let torn = log.tornAt {
                do {
                    try io.truncate(fd, to: torn, path: segmentPath)
                    try io.sync(fd, path: segmentPath)
                } catch {
                    io.close(fd)
                    throw error
                }
                size = torn
                note = "truncated a torn record at the end of \(segmentPath): \(log.tornBytes) bytes from byte offset \(torn)"
            }
        }
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
            segmentNumber: number, segmentFD: fd, segmentSize: size, log: log.state,
            hardState: hardState, recoveryNote: note)
        return storage
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

    /// Empties the log and makes it start right after `point`, durably (a start record in the
    /// write-ahead log, synced). The storage side of installing a snapshot, and how tests make a log
    /// that starts after index 1; snapshots themselves are not implemented yet.
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
    /// The index of the first entry in the log: 1, or one past the point a start record named.
    public var firstIndex: LogIndex { lockedValue { held.firstIndex } }
    /// The index of the last entry in the log; `firstIndex - 1` if it is empty.
    public var lastIndex: LogIndex { lockedValue { held.lastIndex } }
    /// The point the log starts after (`.none` unless a start record named one).
    public var snapshot: SnapshotMetadata { lockedValue { held.snapshot } }
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
            closed = true
        }
    }

    /// fsyncs done since open (of files and directories), for benchmarks.
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

    private var segmentPath: String { walDirectory + "/" + SegmentName.name(segmentNumber) }

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
        }
        try writeToSegment(buffer)
    }

    private func writeToSegment(_ bytes: [UInt8]) throws(StorageError) {
        guard !bytes.isEmpty else { return }
        do {
            try io.write(segmentFD, bytes, at: segmentSize, path: segmentPath)
        } catch {
            // Best effort: leave no partial record behind (recovery would cut it anyway).
            try? io.truncate(segmentFD, to: segmentSize, path: segmentPath)
            throw error
        }
        segmentSize += bytes.count
        walDirty = true
    }

    /// Closes the current segment durably, so that only the last segment can ever end in a torn
    /// record, and starts the next one.
    private func startNextSegment() throws(StorageError) {
        try syncLog()
        let next = segmentNumber + 1
        let path = walDirectory + "/" + SegmentName.name(next)
        let fd = try io.open(path, O_RDWR | O_CREAT | O_EXCL, what: "create")
        io.close(segmentFD)
        segmentFD = fd
        segmentNumber = next
        segmentSize = 0
        try io.syncDirectory(walDirectory)
    }

    private func syncLog() throws(StorageError) {
        guard walDirty else { return }
        try io.sync(segmentFD, path: segmentPath)
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

// MARK: - Recovery

struct RecoveredLog {
    /// The log the records describe (its hard state is not used).
    var state = PersistentState()
    /// Records read (entries and truncates).
    var records = 0
    /// Segment numbers, in order.
    var segments: [UInt64] = []
    /// Size of the last segment once its torn tail, if any, is cut.
    var lastSegmentSize = 0
    /// Where the torn tail of the last segment starts, and its length.
    var tornAt: Int?
    var tornBytes = 0
}

/// Reads every segment and rebuilds the log, without writing anything.
func recoverLog(walDirectory: String, io: DiskIO) throws(StorageError) -> RecoveredLog {
    var log = RecoveredLog()
    log.segments = try io.list(walDirectory).compactMap(SegmentName.number).sorted()
    for (i, number) in log.segments.enumerated() where number != UInt64(i) + 1 {
        let missing = walDirectory + "/" + SegmentName.name(UInt64(i) + 1)
        throw StorageError(
            message: "write-ahead log segment \(missing) is missing (the next one present is "
                + "\(SegmentName.name(number))); refusing to start (nothing was modified)",
            path: missing)
    }
    for (i, number) in log.segments.enumerated() {
        let path = walDirectory + "/" + SegmentName.name(number)
        let isLast = i == log.segments.count - 1
        let bytes = try io.readFile(path)
        var offset = 0
        func corrupt(_ why: String) -> StorageError {
            StorageError(
                message: "corrupt write-ahead log: \(path) at byte offset \(offset): \(why); "
                    + "refusing to start (nothing was modified)",
                path: path, offset: offset)
        }
        scan: while offset < bytes.count {
            switch WALFormat.decode(bytes, at: offset) {
            case .record(let record, let end):
                let first = log.state.firstIndex, last = log.state.lastIndex
                switch record {
                case .entry(let e):
                    guard e.index == last + 1 else {
                        throw corrupt(e.index > last + 1 ? "entry index \(e.index) leaves a gap after index \(last)"
                            : e.index < first ? "entry index \(e.index) lies before the first index \(first) of the log"
                            : "entry index \(e.index) overwrites index \(e.index) without a truncate record")
                    }
                    log.state.append([e])
                case .truncate(let from):
                    guard from >= first, from <= last + 1 else {
                        throw corrupt("truncate from index \(from) outside the log (indexes \(first)...\(last))")
                    }
                    log.state.removeEntries(from: from)
                case .start(let point):
                    log.state = PersistentState(snapshot: point)
                }
                log.records += 1
                offset = end
            case .bad(let reason, let checksumValid):
                if checksumValid { throw corrupt(reason) }
                if !isLast { throw corrupt("\(reason), in a segment that is not the last one") }
                if WALFormat.validRecordExists(in: bytes, after: offset) {
                    throw corrupt("\(reason), and valid records follow it")
                }
                log.tornAt = offset
                log.tornBytes = bytes.count - offset
                break scan
            }
        }
        if isLast { log.lastSegmentSize = log.tornAt ?? bytes.count }
    }
    return log
}
