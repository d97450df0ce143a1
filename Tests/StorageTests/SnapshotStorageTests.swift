import Checksum
import Foundation
import RaftCore
import Testing
@testable import Storage

/// Snapshot files in a data directory: written atomically with a CRC, what they cover deleted,
/// recovery from the newest valid snapshot plus the write-ahead log after it, and clear errors.
@Suite struct SnapshotStorageTests {
    private let membership = Membership(voters: [1, 2, 3])

    private func snap(_ index: LogIndex, term: Term, _ tag: String) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: Array(tag.utf8))
    }

    private func snapFile(_ dir: String, _ index: LogIndex) -> String { dir + "/snap/" + SnapshotFile.name(index) }

    private func files(_ dir: String, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/" + sub)) ?? []).sorted()
    }

    /// Writes 1...n in small segments, compacting every `every` entries; returns the entries.
    private func fill(_ storage: NodeStorage, to n: LogIndex, every: LogIndex) throws -> [Entry] {
        let entries = makeEntries(1...n, term: 1)
        for e in entries {
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: e.index), entries: [e], sync: true)
            if e.index % every == 0 { try storage.saveSnapshot(snap(e.index, term: 1, "s\(e.index)"), replacingLog: false) }
        }
        return entries
    }

    @Test func ownSnapshotsKeepTheSuffixDeleteWhatTheyCoverAndSurviveARestart() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let options = StorageOptions(segmentBytes: 200, fsync: false)
        let (storage, _) = try openOK(dir, options: options)
        let entries = try fill(storage, to: 107, every: 25)
        #expect(storage.snapshot.index == 100 && storage.firstIndex == 101 && storage.lastIndex == 107)
        // Two snapshot files are kept (the previous one backs up the newest).
        #expect(files(dir, "snap") == [SnapshotFile.name(75), SnapshotFile.name(100)])
        // Segments wholly at or below the older kept snapshot are gone: far fewer than written.
        let segments = files(dir, "wal")
        #expect(segments.count <= 8, "segments left: \(segments)")
        #expect(!segments.contains("000000000001.log"))
        storage.close()

        let (again, state) = try openOK(dir, options: options)
        #expect(state.snapshot.index == 100 && state.snapshot.term == 1 && state.snapshot.membership == membership)
        #expect(again.snapshotData == Array("s100".utf8))
        #expect(state.entries == Array(entries[100...]))
        #expect(again.hardState.commit == 107)
        #expect(again.recoveryNote == nil)
        // And the log goes on after a restart.
        try again.save(hardState: nil, entries: makeEntries(108...110, term: 2), sync: true)
        try again.saveSnapshot(snap(110, term: 2, "s110"), replacingLog: false)
        again.close()
        let (third, state3) = try openOK(dir, options: options)
        #expect(state3.snapshot.index == 110 && state3.entries.isEmpty && third.firstIndex == 111)
        third.close()
    }

    @Test func anInstalledSnapshotReplacesTheLogAndRecoveryKeepsWhatFollows() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: makeEntries(1...5, term: 1), sync: true)
        try storage.saveSnapshot(snap(500, term: 4, "leader's"), replacingLog: true)
        try storage.save(hardState: HardState(term: 4, vote: 0, commit: 502), entries: makeEntries(501...502, term: 4), sync: true)
        storage.close()
        let (again, state) = try openOK(dir)
        #expect(state.snapshot.index == 500 && state.snapshot.term == 4)
        #expect(state.entries == makeEntries(501...502, term: 4))
        #expect(again.snapshotData == Array("leader's".utf8))
        again.close()
    }

    @Test func aCrashBetweenTheSnapshotRecordAndItsFileIsUndone() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: makeEntries(1...5, term: 1), sync: true)
        storage.close()
        // The snapshot record was synced, then the node crashed before the file's rename (a
        // temporary file may be left): recovery cuts the record and starts from the log as it was.
        writeSegment(dir, makeEntries(1...5, term: 1).map { .entry($0) }
                     + [.snapshot(SnapshotMetadata(index: 50, term: 2, membership: membership))])
        try FileManager.default.createDirectory(atPath: dir + "/snap", withIntermediateDirectories: true)
        writeBytes(snapFile(dir, 50) + ".tmp", [1, 2, 3])
        let (again, state) = try openOK(dir)
        #expect(state.snapshot == .none)
        #expect(state.entries == makeEntries(1...5, term: 1))
        #expect(again.recoveryNote?.contains("never written") == true)
        #expect(files(dir, "snap").isEmpty, "the temporary file is removed")
        again.close()
    }

    @Test func aCorruptNewestSnapshotThatAnOlderOneCoversIsSetAside() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir, options: StorageOptions(segmentBytes: 200, fsync: false))
        let entries = try fill(storage, to: 60, every: 25)
        storage.close()
        var bytes = readBytes(snapFile(dir, 50))
        bytes[bytes.count / 2] ^= 0xFF
        writeBytes(snapFile(dir, 50), bytes)
        let (again, state) = try openOK(dir)
        // From the snapshot at 25 and the log after it, which still reaches past 50.
        #expect(state.snapshot.index == 25)
        #expect(state.entries == Array(entries[25...]))
        let note = try #require(again.recoveryNote)
        #expect(note.contains(snapFile(dir, 50)) && note.contains("checksum"))
        #expect(FileManager.default.fileExists(atPath: snapFile(dir, 50) + ".corrupt"))
        again.close()
    }

    @Test func aCorruptSnapshotNothingCoversIsRefusedWithItsPath() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: makeEntries(1...5, term: 1), sync: true)
        try storage.saveSnapshot(snap(500, term: 4, "leader's"), replacingLog: true)
        storage.close()
        var bytes = readBytes(snapFile(dir, 500))
        bytes[bytes.count - 1] ^= 0x01
        writeBytes(snapFile(dir, 500), bytes)
        let before = snapshot(dir)
        let error = try #require(openError(dir))
        #expect(error.path == snapFile(dir, 500))
        #expect(error.message.contains("corrupt") && error.message.contains("refusing to start"))
        #expect(snapshot(dir) == before, "a refused start modifies nothing")
        // A snapshot file that is missing while the log continues after its record is refused too.
        try FileManager.default.removeItem(atPath: snapFile(dir, 500))
        let tmp2 = TempDir(); defer { tmp2.remove() }
        let dir2 = tmp2.sub("d")
        let (s2, _) = try openOK(dir2)
        try s2.saveSnapshot(snap(500, term: 4, "leader's"), replacingLog: true)
        try s2.save(hardState: HardState(term: 4, vote: 0, commit: 501), entries: makeEntries(501...501, term: 4), sync: true)
        s2.close()
        try FileManager.default.removeItem(atPath: snapFile(dir2, 500))
        let missing = try #require(openError(dir2))
        #expect(missing.message.contains("missing or unusable") && missing.path == dir2 + "/snap", "\(missing)")
    }

    @Test func snapshotFilesRoundTripAndRejectGarbage() throws {
        let s = snap(42, term: 7, String(repeating: "state", count: 100))
        let bytes = SnapshotFile.encode(s)
        #expect(try SnapshotFile.decode(bytes, path: "p") == s)
        for cut in [0, 8, 20, bytes.count - 1] {
            #expect(throws: StorageError.self) { try SnapshotFile.decode(Array(bytes.prefix(cut)), path: "p") }
        }
        var flipped = bytes
        flipped[30] ^= 0x10
        #expect(throws: StorageError.self) { try SnapshotFile.decode(flipped, path: "p") }
        // The log hash in the metadata round-trips; a version 1 file (none) reads with 0.
        var hashed = s
        hashed.metadata.logHash = 0xfeed_beef
        #expect(try SnapshotFile.decode(SnapshotFile.encode(hashed), path: "p") == hashed)
        var v1 = Array(bytes[0..<8]) + [1, 0, 0, 0] + Array(bytes[12..<(bytes.count - 4)])
        let at = 8 + 4 + 16 + 4 + 8 * membership.count + 4
        v1.removeSubrange(at..<(at + 8))
        v1 += withUnsafeBytes(of: CRC32C.checksum(v1).littleEndian, Array.init)
        #expect(try SnapshotFile.decode(v1, path: "p") == s)
        #expect(SnapshotFile.index(SnapshotFile.name(42)) == 42)
        #expect(SnapshotFile.index("00000000000000000042.snap.tmp") == nil)
    }
}
