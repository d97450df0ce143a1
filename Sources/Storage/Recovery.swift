import RaftCore

/// One record of the write-ahead log as recovery read it, and where it stands.
struct ScannedRecord {
    var record: WALRecord
    /// Position of its segment in `WALScan.segments`.
    var segment: Int
    /// Byte offset of the record in its segment.
    var offset: Int
}

/// Everything recovery read from `wal/`, checked for framing (length and CRC of every record)
/// but not yet made sense of.
struct WALScan {
    /// Segment numbers, in order: consecutive, though not necessarily from 1 (segments wholly below
    /// a snapshot are deleted).
    var segments: [UInt64] = []
    var records: [ScannedRecord] = []
    /// The highest index each segment's entry, start and snapshot records mention (0 if none).
    var segmentMaxIndex: [LogIndex] = []
    /// Size of the last segment once its torn tail, if any, is cut.
    var lastSegmentSize = 0
    /// Where the torn tail of the last segment starts, and its length.
    var tornAt: Int?
    var tornBytes = 0
}

/// What recovery made of the data directory.
struct RecoveredLog {
    /// The log (and snapshot) to continue from; its hard state is not used.
    var state = PersistentState()
    /// Records read (entries, truncates, starts and snapshots).
    var records = 0
    /// Where the last segment must be cut (a torn tail, or a last snapshot record whose file was
    /// never written), and why, for the recovery note.
    var cutAt: Int?
    var cutNote: String?
    /// The valid snapshot files kept, by index, ascending.
    var snapshots: [LogIndex] = []
    /// Snapshot files to set aside (renamed to `.corrupt`), and temporary files to remove.
    var corruptFiles: [String] = []
    var temporaryFiles: [String] = []
    /// A line for the node's log about a snapshot that could not be used.
    var snapshotNote: String?
    /// The segments as recovery found them (their records dropped once replayed).
    var wal = WALScan()
}

/// Reads every segment of `walDirectory`, without writing anything. Throws on corruption that a
/// torn write cannot explain (the error names the file and byte offset).
func scanWAL(walDirectory: String, io: DiskIO) throws(StorageError) -> WALScan {
    var scan = WALScan()
    scan.segments = try io.list(walDirectory).compactMap(SegmentName.number).sorted()
    if let first = scan.segments.first {
        for (i, number) in scan.segments.enumerated() where number != first + UInt64(i) {
            let missing = walDirectory + "/" + SegmentName.name(first + UInt64(i))
            throw StorageError(
                message: "write-ahead log segment \(missing) is missing (the next one present is "
                    + "\(SegmentName.name(number))); refusing to start (nothing was modified)",
                path: missing)
        }
    }
    for (i, number) in scan.segments.enumerated() {
        let path = walDirectory + "/" + SegmentName.name(number)
        let isLast = i == scan.segments.count - 1
        let bytes = try io.readFile(path)
        var offset = 0
        var end = bytes.count
        var maxIndex: LogIndex = 0
        func corrupt(_ why: String) -> StorageError {
            StorageError(
                message: "corrupt write-ahead log: \(path) at byte offset \(offset): \(why); "
                    + "refusing to start (nothing was modified)",
                path: path, offset: offset)
        }
        scan: while offset < bytes.count {
            switch WALFormat.decode(bytes, at: offset) {
            case .record(let record, let end):
                switch record {
                case .entry(let e): maxIndex = max(maxIndex, e.index)
                case .start(let p), .snapshot(let p): maxIndex = max(maxIndex, p.index)
                case .truncate: break
                }
                scan.records.append(ScannedRecord(record: record, segment: i, offset: offset))
                offset = end
            case .bad(let reason, let checksumValid):
                // Zeros to the end of the file: the unused, preallocated part of the segment.
                if !checksumValid && WALFormat.onlyZeros(in: bytes, from: offset) {
                    end = offset
                    break scan
                }
                if checksumValid { throw corrupt(reason) }
                if !isLast { throw corrupt("\(reason), in a segment that is not the last one") }
                if WALFormat.validRecordExists(in: bytes, after: offset) {
                    throw corrupt("\(reason), and valid records follow it")
                }
                scan.tornAt = offset
                scan.tornBytes = bytes.count - offset
                break scan
            }
        }
        scan.segmentMaxIndex.append(maxIndex)
        if isLast { scan.lastSegmentSize = scan.tornAt ?? end }
    }
    return scan
}

/// Rebuilds the log from `loaded` (the snapshot recovery starts from, nil: none) and the records
/// of `scan`, without writing anything.
///
/// Entries at or below the loaded snapshot's index are covered by it and skipped (the log before a
/// snapshot stays in the segments until they are deleted), as are truncates that reach below it.
/// A snapshot record at or below it empties the log after it (the log was replaced then); one above
/// it needs a snapshot that was not loaded: if it is the very last record and no file exists for it
/// (`existing`), it is the trace of a crash before the file was written and is cut; otherwise
/// recovery from `loaded` is impossible. A start record above it restarts the log after its point
/// with no state. Anything else out of place is corruption, named by file and byte offset.
func replay(_ scan: WALScan, from loaded: Snapshot?, existing: Set<LogIndex>, walDirectory: String,
            snapshotDirectory: String) throws(StorageError) -> RecoveredLog {
    let base = loaded?.metadata ?? .none
    var log = RecoveredLog()
    log.state = PersistentState(snapshot: base, snapshotData: loaded?.data ?? [])
    for (n, r) in scan.records.enumerated() {
        let path = walDirectory + "/" + SegmentName.name(scan.segments[r.segment])
        func corrupt(_ why: String) -> StorageError {
            StorageError(
                message: "corrupt write-ahead log: \(path) at byte offset \(r.offset): \(why); "
                    + "refusing to start (nothing was modified)",
                path: path, offset: r.offset)
        }
        let first = log.state.firstIndex, last = log.state.lastIndex
        let atBase = log.state.snapshot.index == base.index
        switch r.record {
        case .entry(let e):
            if atBase && e.index <= base.index { break }
            if n == 0 && e.index > last + 1 && (scan.segments.first ?? 1) > 1 {
                // Segments were deleted (the log was compacted past its start) and the snapshot that
                // covers the gap is gone.
                throw StorageError(
                    message: "the write-ahead log starts at index \(e.index) (\(path)), but no usable snapshot in "
                        + "\(snapshotDirectory) covers the entries before it (the newest usable one ends at index "
                        + "\(last)): a snapshot file is missing or unusable; refusing to start (nothing was modified)",
                    path: snapshotDirectory)
            }
            guard e.index == last + 1 else {
                throw corrupt(e.index > last + 1 ? "entry index \(e.index) leaves a gap after index \(last)"
                    : e.index < first ? "entry index \(e.index) lies before the first index \(first) of the log"
                    : "entry index \(e.index) overwrites index \(e.index) without a truncate record")
            }
            log.state.append([e])
        case .truncate(let from):
            if atBase && from <= first {
                log.state.removeEntries(from: first)
                break
            }
            guard from >= first, from <= last + 1 else {
                throw corrupt("truncate from index \(from) outside the log (indexes \(first)...\(last))")
            }
            log.state.removeEntries(from: from)
        case .start(let point):
            if point.index <= base.index {
                log.state = PersistentState(snapshot: base, snapshotData: loaded?.data ?? [])
            } else {
                log.state = PersistentState(snapshot: point)
            }
        case .snapshot(let point):
            if point.index < base.index || (point.index == base.index && point.term == base.term) {
                log.state = PersistentState(snapshot: base, snapshotData: loaded?.data ?? [])
            } else if n == scan.records.count - 1 && !existing.contains(point.index) && r.segment == scan.segments.count - 1 {
                log.cutAt = r.offset
                log.cutNote = "cut a snapshot record at the end of \(path) (byte offset \(r.offset)) whose snapshot "
                    + "\(point) was never written (a crash in between)"
                continue
            } else {
                let file = snapshotDirectory + "/" + SnapshotFile.name(point.index)
                throw StorageError(
                    message: "the write-ahead log \(path) continues, at byte offset \(r.offset), after the snapshot "
                        + "\(point) in \(file), which is missing or unusable; refusing to start (nothing was modified)",
                    path: file, offset: nil)
            }
        }
        log.records += 1
    }
    if log.cutAt == nil, let torn = scan.tornAt {
        log.cutAt = torn
        let path = walDirectory + "/" + SegmentName.name(scan.segments.last!)
        log.cutNote = "truncated a torn record at the end of \(path): \(scan.tornBytes) bytes from byte offset \(torn)"
    }
    return log
}

/// Recovery of a data directory's log: the newest valid snapshot in `snapshotDirectory` and the
/// write-ahead log after it. When the newest snapshot file is corrupt, an older valid one (or none,
/// if the log was never compacted) is used instead, but only if the write-ahead log after it
/// reaches the corrupt snapshot's index; otherwise recovery is refused, naming the corrupt file.
/// Nothing is written here; the caller carries out `cutAt`, `corruptFiles` and `temporaryFiles`.
func recoverLog(walDirectory: String, snapshotDirectory: String, io: DiskIO) throws(StorageError) -> RecoveredLog {
    let scan = try scanWAL(walDirectory: walDirectory, io: io)
    var names: [String] = []
    switch try io.kind(of: snapshotDirectory) {
    case .directory: names = try io.list(snapshotDirectory)
    case .missing: break
    case .file, .other:
        throw StorageError(message: "\(snapshotDirectory) is not a directory; refusing to start", path: snapshotDirectory)
    }
    let temporary = names.filter { $0.hasSuffix(".tmp") }.map { snapshotDirectory + "/" + $0 }
    let candidates = names.compactMap(SnapshotFile.index).sorted(by: >)
    let existing = Set(candidates)
    var valid: [LogIndex] = []
    var corruptPaths: [String] = []
    /// The newest corrupt snapshot newer than every usable one: the log recovered must reach its index.
    var corrupt: (path: String, index: LogIndex, error: StorageError)?
    var chosen: RecoveredLog?
    var lastError: StorageError?

    /// Recovery from `loaded` (nil: from the start of the log), if it works and covers `corrupt`.
    func attempt(_ loaded: Snapshot?) throws(StorageError) -> RecoveredLog? {
        do {
            let log = try replay(scan, from: loaded, existing: existing, walDirectory: walDirectory,
                                 snapshotDirectory: snapshotDirectory)
            if let c = corrupt, log.state.lastIndex < c.index {
                lastError = StorageError(
                    message: "the log after " + (loaded.map { "the older snapshot at index \($0.index)" } ?? "its start")
                        + " ends at index \(log.state.lastIndex)", path: walDirectory)
                return nil
            }
            return log
        } catch {
            guard corrupt != nil else { throw error }
            lastError = error
            return nil
        }
    }

    for index in candidates {
        let path = snapshotDirectory + "/" + SnapshotFile.name(index)
        let snapshot: Snapshot
        do throws(StorageError) {
            snapshot = try SnapshotFile.decode(io.readFile(path), path: path)
            guard snapshot.index == index else {
                throw StorageError(message: "snapshot file \(path) is corrupt: it holds the snapshot at index \(snapshot.index)",
                                   path: path)
            }
        } catch {
            corruptPaths.append(path)
            if chosen == nil && corrupt == nil { corrupt = (path, index, error) }
            continue
        }
        if chosen == nil {
            chosen = try attempt(snapshot)
            if chosen == nil { continue }
        }
        valid.append(index)
    }
    if chosen == nil { chosen = try attempt(nil) }
    if let c = corrupt {
        guard var log = chosen else {
            throw StorageError(
                message: "\(c.error.message), and no older snapshot with the write-ahead log after it covers its index "
                    + "\(c.index)" + (lastError.map { " (\($0.message))" } ?? "") + "; refusing to start (nothing was modified)",
                path: c.path)
        }
        log.snapshotNote = "\(c.error.message); recovered from "
            + (log.state.snapshot.index > 0 ? "the older snapshot at index \(log.state.snapshot.index)" : "the start of the log")
            + " and the write-ahead log after it (the corrupt file is kept as \(c.path).corrupt)"
        chosen = log
    }
    var log = chosen!
    log.wal = scan
    log.wal.records = []
    log.snapshots = valid.sorted()
    log.corruptFiles = corruptPaths
    log.temporaryFiles = temporary
    return log
}
