import Foundation
import RaftCore
import CDirectIO
import Testing
@testable import Storage

/// The type of the file system `path` is on, from the longest mount point in /proc/mounts that
/// holds it ("ext4", "tmpfs", ...; "" if unknown).
private func fileSystemType(_ path: String) -> String {
    guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return "" }
    var best = (point: "", type: "")
    for line in mounts.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 3 else { continue }
        let point = String(fields[1]), type = String(fields[2])
        let holds = point == "/" || path == point || path.hasPrefix(point + "/")
        if holds && point.count >= best.point.count { best = (point, type) }
    }
    return best.type
}

/// Whether the kernel opens a file in directory `dir` for direct, synchronous writes (the probe
/// file is removed again); any failure but `EINVAL` is recorded as an issue.
private func directIOWorks(in dir: String) throws -> Bool {
    let probe = dir + "/direct-io-probe"
    FileManager.default.createFile(atPath: probe, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: probe) }
    let fd = raftsh_open_direct_sync(probe)
    if fd < 0 {
        #expect(errno == EINVAL)
        return false
    }
    close(fd)
    return true
}

@Suite struct DirectWriteTests {
    @Test func theLogIsWrittenDirectlyOnlyWithFsyncPreallocationAndAFileSystemThatCan() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let cases: [(StorageOptions, Bool)] = [
            (StorageOptions(), try directIOWorks(in: tmp.path)),
            (StorageOptions(directWrites: false), false),
            (StorageOptions(fsync: false), false),
            (StorageOptions(preallocate: false), false),
        ]
        for (i, (options, expected)) in cases.enumerated() {
            let (storage, _) = try openOK(tmp.sub("d\(i)"), options: options)
            #expect(storage.writesDirectly == expected, "case \(i)")
            try storage.save(hardState: HardState(term: 1, vote: 1), entries: makeEntries(1...3, term: 1), sync: true)
            storage.close()
            let (reopened, state) = try openOK(tmp.sub("d\(i)"), options: options)
            #expect(state.entries == makeEntries(1...3, term: 1), "case \(i)")
            reopened.close()
        }
    }

    /// tmpfs has direct I/O only on newer kernels (6.6 on): the storage writes directly there
    /// exactly when the kernel can (`EINVAL` from the open otherwise), and works either way.
    @Test func onTmpfsTheLogIsWrittenDirectlyExactlyWhenTheKernelCan() throws {
        let shm = "/dev/shm"
        try #require(fileSystemType(shm) == "tmpfs", "\(shm) is not a tmpfs on this machine")
        let dir = shm + "/raftsh-storage-test-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let kernelCan = try directIOWorks(in: dir)
        do {
            let (storage, _) = try openOK(dir)
            #expect(storage.writesDirectly == kernelCan)
            try storage.save(hardState: HardState(term: 1, vote: 1), entries: makeEntries(1...20, term: 1), sync: true)
            storage.close()
        }
        let (storage, state) = try openOK(dir)
        #expect(state.entries == makeEntries(1...20, term: 1))
        storage.close()
    }

    /// Records of many sizes (empty to larger than a block), saved a few at a time with and without
    /// sync, and the storage reopened now and then (mostly in the middle of a block): the log
    /// recovered is the log saved, and the segment holds exactly the bytes the page-cache path
    /// writes for the same saves.
    @Test func directAndPageCacheWritesLeaveTheSameSegment() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let directDir = tmp.sub("direct"), bufferedDir = tmp.sub("buffered")
        let buffered = StorageOptions(directWrites: false)
        var rng = SplitMix(seed: 16)
        var entries: [Entry] = []
        var saves: [(entries: [Entry], sync: Bool)] = []
        var next: LogIndex = 1
        while next <= 600 {
            var batch: [Entry] = []
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let size = rng.next() % 10 == 0 ? Int(rng.next() % 6_000) : Int(rng.next() % 200)
                batch.append(Entry(term: 1, index: next, data: (0..<size).map { UInt8(truncatingIfNeeded: Int(next) &+ $0) }))
                next += 1
            }
            entries += batch
            saves.append((batch, rng.next() % 4 != 0 || next > 600))
        }
        var direct = try openOK(directDir).0
        var page = try openOK(bufferedDir, options: buffered).0
        try #require(direct.writesDirectly, "the temp directory's file system has no direct I/O")
        for (i, save) in saves.enumerated() {
            for storage in [direct, page] {
                try storage.save(hardState: HardState(term: 1, vote: 1), entries: save.entries, sync: save.sync)
            }
            if save.sync && i % 37 == 36 {
                direct.close()
                page.close()
                direct = try openOK(directDir).0
                page = try openOK(bufferedDir, options: buffered).0
                #expect(direct.lastIndex == save.entries.last!.index)
            }
        }
        direct.close()
        page.close()
        let (reopened, state) = try openOK(directDir)
        #expect(state.entries == entries)
        #expect(reopened.recoveryNote == nil)
        reopened.close()
        let directBytes = readBytes(segment(directDir, 1)), pageBytes = readBytes(segment(bufferedDir, 1))
        #expect(directBytes.count == pageBytes.count)
        #expect(directBytes == pageBytes)
    }

    /// Saves without sync stay in memory; the next sync writes all of them in one direct write,
    /// which is also the sync.
    @Test func unsyncedSavesWaitForTheNextSyncAndGoInOneWrite() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        try #require(storage.writesDirectly, "the temp directory's file system has no direct I/O")
        try storage.save(hardState: HardState(term: 1, vote: 1), entries: makeEntries(1...2, term: 1), sync: true)
        let onDisk = readBytes(segment(dir, 1))
        let fsyncs = storage.fsyncCount, bytes = storage.bytesWritten
        for i in 0..<5 {
            try storage.save(hardState: nil, entries: makeEntries(LogIndex(3 + 2 * i)...LogIndex(4 + 2 * i), term: 1), sync: false)
        }
        #expect(readBytes(segment(dir, 1)) == onDisk)
        #expect(storage.fsyncCount == fsyncs)
        #expect(storage.bytesWritten == bytes)
        try storage.sync()
        #expect(storage.fsyncCount == fsyncs + 1)
        #expect(storage.bytesWritten - bytes == DirectSegmentWriter.blockSize)
        #expect(readBytes(segment(dir, 1)) != onDisk)
        storage.close()
        let (reopened, state) = try openOK(dir)
        #expect(state.entries == makeEntries(1...12, term: 1))
        reopened.close()
    }
}
