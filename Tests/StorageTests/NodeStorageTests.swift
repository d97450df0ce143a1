import Checksum
import Foundation
import RaftCore
import Testing
@testable import Storage

@Suite struct RoundTripTests {
    @Test func freshDirectoryStartsEmptyAndLaysOutItsFiles() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("node1/data")  // parents are created too
        let (storage, state) = try openOK(dir)
        #expect(state == PersistentState.empty)
        #expect(storage.lastIndex == 0)
        storage.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["hardstate", "meta", "wal"])
        #expect(FileManager.default.fileExists(atPath: segment(dir, 1)))
        let meta = String(decoding: readBytes(dir + "/meta"), as: UTF8.self)
        #expect(meta.contains("node 1\n") && meta.contains("cluster c1\n"))
        // Reopening an untouched directory gives the same empty state.
        let (again, state2) = try openOK(dir)
        #expect(state2 == PersistentState.empty)
        again.close()
    }

    @Test func entriesAndHardStateSurviveReopen() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        var entries = makeEntries(1...20, term: 1)
        entries[0].kind = .noop
        entries[0].data = []
        entries[7].kind = .config
        entries[9].data = [UInt8](repeating: 0xAB, count: 5000)
        let hs = HardState(term: 3, vote: 2, commit: 17)
        do {
            let (storage, _) = try openOK(dir)
            try storage.save(hardState: HardState(term: 1, vote: 1), entries: Array(entries[0..<5]), sync: true)
            try storage.save(hardState: nil, entries: Array(entries[5..<12]), sync: false)
            try storage.save(hardState: hs, entries: Array(entries[12...]), sync: true)
            #expect(storage.lastIndex == 20)
            #expect(storage.hardState == hs)
            storage.close()
        }
        let (storage, state) = try openOK(dir)
        #expect(state == PersistentState(hardState: hs, entries: entries))
        #expect(storage.lastIndex == 20)
        #expect(storage.recoveryNote == nil)
        storage.close()
    }

    @Test func conflictingSuffixIsReplacedAcrossReopens() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        do {
            let (storage, _) = try openOK(dir)
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: makeEntries(1...10, term: 1), sync: true)
            // A new leader overwrites 6...10 with a shorter suffix of term 2.
            try storage.save(hardState: HardState(term: 2, vote: 3, commit: 3),
                             entries: makeEntries(6...8, term: 2, tag: "new"), sync: true)
            #expect(storage.lastIndex == 8)
            storage.close()
        }
        let expected = makeEntries(1...5, term: 1) + makeEntries(6...8, term: 2, tag: "new")
        do {
            let (storage, state) = try openOK(dir)
            #expect(state.entries == expected)
            #expect(state.hardState == HardState(term: 2, vote: 3, commit: 3))
            // Appending after the overwrite, then overwriting a single last entry.
            try storage.save(hardState: nil, entries: makeEntries(9...9, term: 2), sync: true)
            try storage.save(hardState: HardState(term: 3, vote: 1, commit: 3),
                             entries: makeEntries(9...9, term: 3, tag: "x"), sync: true)
            storage.close()
        }
        let (storage, state) = try openOK(dir)
        #expect(state.entries == expected + makeEntries(9...9, term: 3, tag: "x"))
        // Overwriting from index 1 empties and refills the log.
        try storage.save(hardState: HardState(term: 4, vote: 1, commit: 0), entries: makeEntries(1...2, term: 4), sync: true)
        storage.close()
        let (reopened, state2) = try openOK(dir)
        #expect(state2.entries == makeEntries(1...2, term: 4))
        reopened.close()
    }

    @Test func segmentsRollOverAndRandomSavesMatchAModel() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let options = StorageOptions(segmentBytes: 256, fsync: false)
        var rng = SplitMix(state: 42)
        var model: [Entry] = []
        var term: Term = 1
        var (storage, _) = try openOK(dir, options: options)
        for round in 0..<150 {
            // Sometimes overwrite a suffix, as a follower does when a new leader disagrees.
            var start = LogIndex(model.count) + 1
            if !model.isEmpty && rng.int(0...4) == 0 {
                start = LogIndex(rng.int(1...model.count))
                term += 1
            }
            let count = rng.int(1...9)
            let batch = (0..<count).map { i in
                Entry(term: term, index: start + LogIndex(i), kind: .normal,
                      data: (0..<rng.int(0...(round == 70 ? 600 : 40))).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            }
            try storage.save(hardState: HardState(term: term, vote: 1, commit: 0), entries: batch, sync: rng.int(0...1) == 0)
            model.removeSubrange(Int(start - 1)...)
            model += batch
            #expect(storage.lastIndex == LogIndex(model.count))
            if rng.int(0...9) == 0 {
                storage.close()
                let (reopened, state) = try openOK(dir, options: options)
                #expect(state.entries == model)
                storage = reopened
            }
        }
        storage.close()
        let (reopened, state) = try openOK(dir, options: options)
        #expect(state.entries == model)
        #expect(state.hardState == HardState(term: term, vote: 1, commit: 0))
        reopened.close()

        // Many segments, none past the limit unless it holds a single oversized record.
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir + "/wal").filter { $0.hasSuffix(".log") }
        #expect(segments.count > 20)
        var oversized = 0
        for name in segments {
            let size = fileSize(dir + "/wal/" + name)
            #expect(size > 0)
            if size > 256 { oversized += 1 }
        }
        #expect(oversized >= 1)  // round 70 wrote records larger than a segment
    }
}

@Suite struct TornTailTests {
    /// Five entries of 7-byte data: five 33-byte records in one segment (not preallocated: the
    /// file ends where the records do).
    private func writeFive(_ dir: String) throws -> [Entry] {
        let entries = makeEntries(1...5, term: 1, tag: "value")
        let (storage, _) = try openOK(dir, options: StorageOptions(preallocate: false))
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: entries, sync: true)
        storage.close()
        return entries
    }

    @Test func cutAtEveryByteOfTheLastRecordIsTruncatedAndAppendable() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let entries = try writeFive(original)
        let pristine = readBytes(segment(original, 1))
        let recordStart = pristine.count - recordSize(entries[4])
        #expect(pristine.count == entries.map(recordSize).reduce(0, +))

        for cut in recordStart..<pristine.count {
            let dir = tmp.sub("cut\(cut)")
            copyTree(original, dir)
            writeBytes(segment(dir, 1), Array(pristine[0..<cut]))

            let (storage, state) = try openOK(dir)
            #expect(state.entries == Array(entries[0..<4]), "cut at \(cut)")
            #expect(state.hardState == HardState(term: 1, vote: 1, commit: 3))
            #expect(storage.lastIndex == 4)
            #expect(fileSize(segment(dir, 1)) == recordStart, "cut at \(cut)")
            if cut > recordStart {
                #expect(storage.recoveryNote?.contains("offset \(recordStart)") == true)
            } else {
                #expect(storage.recoveryNote == nil)
            }
            let replacement = Entry(term: 2, index: 5, data: Array("again".utf8))
            try storage.save(hardState: HardState(term: 2, vote: 1, commit: 5), entries: [replacement], sync: true)
            storage.close()

            let (reopened, state2) = try openOK(dir)
            #expect(state2.entries == Array(entries[0..<4]) + [replacement], "cut at \(cut)")
            #expect(state2.hardState.commit == 5)
            reopened.close()
            tmp.removeChild("cut\(cut)")
        }
    }

    @Test func garbageAfterTheLastRecordIsTruncated() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let entries = try writeFive(original)
        let pristine = readBytes(segment(original, 1))
        let tails: [[UInt8]] = [
            [0x21, 0x00, 0x00],                    // part of a header
            [0x10, 0, 0, 0, 1, 2, 3, 4] + [UInt8](repeating: 7, count: 16),  // a whole frame with a bad checksum
        ]
        for (i, tail) in tails.enumerated() {
            let dir = tmp.sub("t\(i)")
            copyTree(original, dir)
            writeBytes(segment(dir, 1), pristine + tail)
            let (storage, state) = try openOK(dir)
            #expect(state.entries == entries)
            #expect(readBytes(segment(dir, 1)) == pristine)
            storage.close()
        }
    }

    /// A preallocated segment: records, then zeros to `segmentBytes`. A write torn anywhere in the
    /// last record leaves its first bytes and zeros after them (the rest of the preallocation).
    @Test func aTornRecordInAPreallocatedSegmentIsCutAndTheZerosAreItsFreeSpace() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let options = StorageOptions(segmentBytes: 4096)
        let entries = makeEntries(1...5, term: 1, tag: "value")
        do {
            let (storage, _) = try openOK(original, options: options)
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: entries, sync: true)
            storage.close()
        }
        let pristine = readBytes(segment(original, 1))
        let used = entries.map(recordSize).reduce(0, +)
        #expect(pristine.count == 4096, "the segment is preallocated")
        #expect(pristine[used...].allSatisfy { $0 == 0 })
        let recordStart = used - recordSize(entries[4])

        // Intact: all five entries, no note, the next record goes right after them.
        do {
            let (storage, state) = try openOK(original, options: options)
            #expect(state.entries == entries)
            #expect(storage.recoveryNote == nil)
            storage.close()
        }
        for cut in recordStart..<used {
            let dir = tmp.sub("cut\(cut)")
            copyTree(original, dir)
            var torn = pristine
            for i in cut..<used { torn[i] = 0 }
            writeBytes(segment(dir, 1), torn)

            let (storage, state) = try openOK(dir, options: options)
            #expect(state.entries == Array(entries[0..<4]), "cut at \(cut)")
            #expect(storage.lastIndex == 4)
            if cut > recordStart {
                #expect(storage.recoveryNote?.contains("offset \(recordStart)") == true, "cut at \(cut)")
            } else {
                #expect(storage.recoveryNote == nil, "nothing of the record was written: free space")
            }
            let replacement = Entry(term: 2, index: 5, data: Array("again".utf8))
            try storage.save(hardState: HardState(term: 2, vote: 1, commit: 5), entries: [replacement], sync: true)
            storage.close()
            let (reopened, state2) = try openOK(dir, options: options)
            #expect(state2.entries == Array(entries[0..<4]) + [replacement], "cut at \(cut)")
            #expect(reopened.recoveryNote == nil)
            reopened.close()
            tmp.removeChild("cut\(cut)")
        }
    }

    /// Segments that were closed early (the next record did not fit) end in zeros; they are read
    /// whole, and so is the last one.
    @Test func preallocatedSegmentsRollAndRecoverWhole() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let options = StorageOptions(segmentBytes: 100)
        let entries = makeEntries(1...10, term: 1, tag: "value")
        var direct = false
        do {
            let (storage, _) = try openOK(dir, options: options)
            for e in entries { try storage.save(hardState: HardState(term: 1, vote: 1, commit: e.index), entries: [e], sync: true) }
            direct = storage.writesDirectly
            storage.close()
        }
        // Direct writes cover whole blocks: the zeros then reach the end of the block.
        let size = direct ? DirectSegmentWriter.blockSize : 100
        #expect(readBytes(segment(dir, 1)).count == size)
        #expect(readBytes(segment(dir, 2)).count == size)
        let (storage, state) = try openOK(dir, options: options)
        #expect(state.entries == entries)
        #expect(storage.recoveryNote == nil)
        storage.close()
    }

    @Test func aFlippedByteInTheLastRecordIsATornTail() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let entries = try writeFive(dir)
        var bytes = readBytes(segment(dir, 1))
        bytes[bytes.count - 2] ^= 0x01
        writeBytes(segment(dir, 1), bytes)
        let (storage, state) = try openOK(dir)
        #expect(state.entries == Array(entries[0..<4]))
        #expect(fileSize(segment(dir, 1)) == bytes.count - recordSize(entries[4]))
        storage.close()
    }

    @Test func tornTailInTheLastOfSeveralSegments() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let options = StorageOptions(segmentBytes: 100, preallocate: false)
        let entries = makeEntries(1...7, term: 1, tag: "value")  // 33-byte records: 3 per segment
        do {
            let (storage, _) = try openOK(dir, options: options)
            let fsyncs = storage.fsyncCount
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 2), entries: entries, sync: true)
            // Each finished segment is synced before the next is created (and the directory after),
            // so only the last segment can end torn: 3 segments + 2 creations + 2 for the hard state.
            #expect(storage.fsyncCount - fsyncs == 7)
            storage.close()
        }
        try #require(fileSize(segment(dir, 1)) == 99 && fileSize(segment(dir, 2)) == 99 && fileSize(segment(dir, 3)) == 33)
        writeBytes(segment(dir, 3), Array(readBytes(segment(dir, 3))[0..<20]))
        let (storage, state) = try openOK(dir, options: options)
        #expect(state.entries == Array(entries[0..<6]))
        #expect(fileSize(segment(dir, 3)) == 0)
        try storage.save(hardState: nil, entries: makeEntries(7...9, term: 1), sync: true)
        storage.close()
        let (reopened, state2) = try openOK(dir, options: options)
        #expect(state2.entries == Array(entries[0..<6]) + makeEntries(7...9, term: 1))
        reopened.close()
    }
}

@Suite struct CorruptionTests {
    @Test func aFlippedByteInAnEarlierRecordIsRefusedWithFileAndOffset() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let entries = makeEntries(1...10, term: 1, tag: "value")  // 33-byte records
        do {
            let (storage, _) = try openOK(original)
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 10), entries: entries, sync: true)
            storage.close()
        }
        let pristine = readBytes(segment(original, 1))
        let start = recordSize(entries[0]) * 2  // the record of index 3
        for position in start..<(start + recordSize(entries[2])) {
            for mask: UInt8 in [0x01, 0x80] {
                let dir = tmp.sub("p\(position)")
                copyTree(original, dir)
                var bytes = pristine
                bytes[position] ^= mask
                writeBytes(segment(dir, 1), bytes)
                let before = snapshot(dir)

                let error = openError(dir)
                #expect(error != nil, "byte \(position) ^ \(mask) was accepted")
                #expect(error?.offset == start)
                #expect(error?.path == segment(dir, 1))
                let text = error?.description ?? ""
                #expect(text.contains("000000000001.log") && text.contains("offset \(start)"), "\(text)")
                #expect(snapshot(dir) == before, "open modified the directory")
                tmp.removeChild("p\(position)")
            }
        }
    }

    @Test func corruptionInANonLastSegmentIsRefused() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let options = StorageOptions(segmentBytes: 100, preallocate: false)
        do {
            let (storage, _) = try openOK(original, options: options)
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 1), entries: makeEntries(1...8, term: 1, tag: "value"), sync: true)
            storage.close()
        }
        let first = readBytes(segment(original, 1))
        try #require(first.count == 99)

        // The last record of segment 1, with nothing after it in that file.
        let flipped = tmp.sub("flipped")
        copyTree(original, flipped)
        var bytes = first
        bytes[90] ^= 0x40
        writeBytes(segment(flipped, 1), bytes)
        var before = snapshot(flipped)
        var error = openError(flipped, options: options)
        #expect(error?.description.contains("000000000001.log") == true)
        #expect(error?.offset == 66)
        #expect(snapshot(flipped) == before)

        // Segment 1 cut short: not a torn tail, since segment 2 follows.
        let cut = tmp.sub("cut")
        copyTree(original, cut)
        writeBytes(segment(cut, 1), Array(first[0..<80]))
        before = snapshot(cut)
        error = openError(cut, options: options)
        #expect(error?.description.contains("000000000001.log at byte offset 66") == true, "\(String(describing: error))")
        #expect(snapshot(cut) == before)

        // A missing segment in the middle.
        let missing = tmp.sub("missing")
        copyTree(original, missing)
        try FileManager.default.removeItem(atPath: segment(missing, 2))
        before = snapshot(missing)
        error = openError(missing, options: options)
        #expect(error?.description.contains("000000000002.log is missing") == true, "\(String(describing: error))")
        #expect(snapshot(missing) == before)
    }

    @Test func wellFormedRecordsThatBreakTheLogAreRefused() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let (storage, _) = try openOK(original)
        storage.close()
        let cases: [(String, [WALRecord], Int)] = [
            ("gap", [.entry(Entry(term: 1, index: 1)), .entry(Entry(term: 1, index: 3))], 1),
            ("start", [.entry(Entry(term: 1, index: 2))], 0),
            ("rewrite", [.entry(Entry(term: 1, index: 1)), .entry(Entry(term: 2, index: 1))], 1),
            ("truncate", [.entry(Entry(term: 1, index: 1)), .truncate(from: 5)], 1),
        ]
        for (name, records, badRecord) in cases {
            let dir = tmp.sub(name)
            copyTree(original, dir)
            let (bytes, offsets) = writeSegment(dir, records)
            let error = openError(dir)
            #expect(error?.offset == offsets[badRecord], "\(name): \(String(describing: error))")
            #expect(readBytes(segment(dir, 1)) == bytes)
        }
        // An intact frame (its checksum matches) whose payload is unknown is not a torn write,
        // even as the last record: refused, not truncated.
        for (name, payload) in [("type", [9, 1, 2, 3]), ("kind", [1] + [UInt8](repeating: 0, count: 16) + [7]),
                                ("short", [1, 0, 0])] as [(String, [UInt8])] {
            let dir = tmp.sub(name)
            copyTree(original, dir)
            var bytes: [UInt8] = []
            WALFormat.append(.entry(Entry(term: 1, index: 1)), to: &bytes)
            let offset = bytes.count
            appendLE(UInt32(payload.count), to: &bytes)
            appendLE(CRC32C.checksum(payload), to: &bytes)
            bytes += payload
            writeBytes(segment(dir, 1), bytes)
            let error = openError(dir)
            #expect(error?.offset == offset, "\(name): \(String(describing: error))")
            #expect(readBytes(segment(dir, 1)) == bytes)
        }

        // A truncate record followed by the entries replacing the suffix is what save writes.
        let dir = tmp.sub("fine")
        copyTree(original, dir)
        writeSegment(dir, [.entry(Entry(term: 1, index: 1)), .entry(Entry(term: 1, index: 2)),
                           .truncate(from: 2), .entry(Entry(term: 2, index: 2))])
        let (reopened, state) = try openOK(dir)
        #expect(state.entries == [Entry(term: 1, index: 1), Entry(term: 2, index: 2)])
        reopened.close()
    }

    @Test func aStartRecordMovesTheFirstIndexAndNothingMayGoBelowIt() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        let (storage, _) = try openOK(original)
        storage.close()
        let point = SnapshotMetadata(index: 10, term: 2)
        func write(_ name: String, _ records: [WALRecord]) -> (dir: String, offsets: [Int]) {
            let dir = tmp.sub(name)
            copyTree(original, dir)
            return (dir, writeSegment(dir, records).offsets)
        }

        // The entries before a start record are gone; the log continues after its point.
        let fine = write("fine", [.entry(Entry(term: 1, index: 1)), .entry(Entry(term: 1, index: 2)), .start(after: point),
                                  .entry(Entry(term: 2, index: 11)), .entry(Entry(term: 3, index: 12))])
        let (reopened, state) = try openOK(fine.dir)
        #expect(state == PersistentState(snapshot: point, entries: [Entry(term: 2, index: 11), Entry(term: 3, index: 12)]))
        #expect(reopened.firstIndex == 11 && reopened.term(at: 10) == 2 && reopened.term(at: 9) == nil)
        #expect(throws: StorageError.self) {
            try reopened.save(hardState: nil, entries: [Entry(term: 3, index: 10)], sync: true)
        }
        try reopened.save(hardState: nil, entries: [Entry(term: 4, index: 11)], sync: true)
        reopened.close()
        #expect(try openOK(fine.dir).1.entries == [Entry(term: 4, index: 11)])

        // Records that reach below the first index are corruption, refused where they stand.
        let cases: [(String, [WALRecord], Int, String)] = [
            ("below", [.start(after: point), .entry(Entry(term: 1, index: 5))], 1, "lies before the first index 11"),
            ("gap", [.start(after: point), .entry(Entry(term: 2, index: 12))], 1, "leaves a gap after index 10"),
            ("truncate", [.start(after: point), .entry(Entry(term: 2, index: 11)), .truncate(from: 10)], 2, "outside the log"),
        ]
        for (name, records, bad, why) in cases {
            let (dir, offsets) = write(name, records)
            let error = openError(dir)
            #expect(error?.offset == offsets[bad], "\(name): \(String(describing: error))")
            #expect(error?.message.contains(why) == true, "\(name): \(String(describing: error))")
        }

        // A damaged record followed by an intact start record is corruption in the middle, not a torn tail.
        let (dir, offsets) = write("middle", [.entry(Entry(term: 1, index: 1)), .entry(Entry(term: 1, index: 2)),
                                              .start(after: point)])
        var bytes = readBytes(segment(dir, 1))
        bytes[offsets[1] + 9] ^= 0xFF
        writeBytes(segment(dir, 1), bytes)
        #expect(openError(dir)?.offset == offsets[1])
        #expect(readBytes(segment(dir, 1)) == bytes)
    }

    @Test func commitBeyondTheRecoveredLogIsRefused() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir, options: StorageOptions(preallocate: false))
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 5), entries: makeEntries(1...5, term: 1), sync: true)
        storage.close()
        var bytes = readBytes(segment(dir, 1))
        bytes.removeLast(3)
        writeBytes(segment(dir, 1), bytes)
        let error = openError(dir)
        #expect(error?.description.contains("committed entries are lost") == true, "\(String(describing: error))")
        #expect(fileSize(segment(dir, 1)) == bytes.count)
    }

    @Test func corruptHardStateOrMetaIsRefused() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let original = tmp.sub("original")
        do {
            let (storage, _) = try openOK(original)
            try storage.save(hardState: HardState(term: 4, vote: 2, commit: 1), entries: makeEntries(1...3, term: 4), sync: true)
            storage.close()
        }
        let hardState = readBytes(original + "/hardstate")
        let meta = readBytes(original + "/meta")
        let damage: [(String, String, [UInt8])] = [
            ("flip", "hardstate", { var b = hardState; b[13] ^= 0x02; return b }()),
            ("short", "hardstate", Array(hardState[0..<10])),
            ("empty", "hardstate", []),
            ("metaflip", "meta", { var b = meta; b[b.count - 20] ^= 0x01; return b }()),
            ("metaempty", "meta", []),
        ]
        for (name, file, bytes) in damage {
            let dir = tmp.sub(name)
            copyTree(original, dir)
            writeBytes(dir + "/" + file, bytes)
            let before = snapshot(dir)
            let error = openError(dir)
            #expect(error?.path == dir + "/" + file, "\(name): \(String(describing: error))")
            #expect(error?.description.contains(dir + "/" + file) == true)
            #expect(snapshot(dir) == before)
        }
        // Hard state deleted while the log has records: term and vote would be forgotten.
        let dir = tmp.sub("gone")
        copyTree(original, dir)
        try FileManager.default.removeItem(atPath: dir + "/hardstate")
        #expect(openError(dir)?.description.contains("missing") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/hardstate"))
    }
}

@Suite struct BadDirectoryTests {
    @Test func anotherNodesOrClustersDirectoryIsRefusedAndUntouched() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        do {
            let (storage, _) = try openOK(dir, node: 1, cluster: "def")
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 1), entries: makeEntries(1...3, term: 1), sync: true)
            storage.close()
        }
        let before = snapshot(dir)
        let otherNode = openError(dir, node: 3, cluster: "def")
        #expect(otherNode?.description.contains("data directory \(dir) belongs to node 1 of cluster def, not node 3 of cluster def") == true,
                "\(String(describing: otherNode))")
        let otherCluster = openError(dir, node: 1, cluster: "abc")
        #expect(otherCluster?.description.contains("belongs to node 1 of cluster def, not node 1 of cluster abc") == true)
        #expect(snapshot(dir) == before)
        let (storage, state) = try openOK(dir, node: 1, cluster: "def")
        #expect(state.entries.count == 3)
        storage.close()
    }

    @Test func aNonEmptyDirectoryWithoutMetaIsRefused() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        writeBytes(dir + "/notes.txt", Array("mine".utf8))
        let error = openError(dir)
        #expect(error?.description.contains("no meta file") == true)
        #expect(snapshot(dir) == ["notes.txt": Array("mine".utf8)])
    }

    @Test func aPathThroughARegularFileIsAClearError() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        writeBytes(tmp.sub("file"), [1, 2, 3])
        let error = openError(tmp.sub("file/dir"))
        let text = error?.description ?? ""
        #expect(text.contains(tmp.sub("file")) && text.contains("not a directory"), "\(text)")
        #expect(readBytes(tmp.sub("file")) == [1, 2, 3])
        // The data directory path itself naming a file.
        #expect(openError(tmp.sub("file"))?.description.contains("is not a directory") == true)
    }

    @Test func anUnwritableDirectoryIsAClearError() throws {
        // Root bypasses permission bits: the path-through-a-file test covers that case.
        guard getuid() != 0 else { return }
        let tmp = TempDir(); defer { tmp.remove() }
        let fresh = tmp.sub("fresh")
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
        chmod(fresh, 0o500)
        let error = openError(fresh)
        #expect(error?.description.contains("Permission denied") == true, "\(String(describing: error))")
        #expect(snapshot(fresh).isEmpty)

        let existing = tmp.sub("existing")
        do {
            let (storage, _) = try openOK(existing)
            try storage.save(hardState: HardState(term: 1, vote: 1), entries: makeEntries(1...2, term: 1), sync: true)
            storage.close()
        }
        let before = snapshot(existing)
        chmod(existing, 0o500)
        #expect(openError(existing)?.description.contains("Permission denied") == true)
        chmod(existing, 0o755)
        #expect(snapshot(existing) == before)
    }

    @Test func aFullDiskAtStartIsAClearError() throws {
        guard access("/dev/full", W_OK) == 0 else { return }  // no writable /dev/full here
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Writing the meta file goes through meta.tmp, which here writes to a device that is always full.
        try FileManager.default.createSymbolicLink(atPath: dir + "/meta.tmp", withDestinationPath: "/dev/full")
        let error = openError(dir)
        #expect(error?.description.contains("No space left on device") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: dir + "/meta"))
    }

    @Test func aFullDiskDuringSaveIsAnErrorNotACrash() throws {
        guard access("/dev/full", W_OK) == 0 else { return }  // no writable /dev/full here
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        do {
            let (storage, _) = try openOK(dir)
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 2), entries: makeEntries(1...2, term: 1), sync: true)
            storage.close()
        }
        // The next segment is a device that is always full.
        try FileManager.default.createSymbolicLink(atPath: segment(dir, 2), withDestinationPath: "/dev/full")
        let (storage, state) = try openOK(dir)
        #expect(state.entries.count == 2)
        var caught: StorageError?
        do { try storage.save(hardState: nil, entries: makeEntries(3...3, term: 1), sync: true) } catch { caught = error }
        #expect(caught?.description.contains("No space left on device") == true, "\(String(describing: caught))")
        #expect(caught?.description.contains("000000000002.log") == true)
        // The instance stays stopped rather than pretending later writes are durable.
        var again: StorageError?
        do { try storage.save(hardState: nil, entries: makeEntries(3...3, term: 1), sync: true) } catch { again = error }
        #expect(again?.description.contains("earlier error") == true)
        storage.close()
    }

    @Test func invalidArgumentsAreRefused() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        #expect(openError(tmp.sub("a"), node: 0) != nil)
        #expect(openError(tmp.sub("b"), cluster: "") != nil)
        #expect(openError(tmp.sub("c"), cluster: "two\nlines") != nil)
    }
}

@Suite struct DurabilityTests {
    @Test func oneSyncedSaveOfManyEntriesCostsAFewFsyncs() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let (storage, _) = try openOK(tmp.sub("d"))
        defer { storage.close() }
        let entries = makeEntries(1...100, term: 1)
        let fsyncs = storage.fsyncCount, bytes = storage.bytesWritten
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 0), entries: entries, sync: true)
        let cost = storage.fsyncCount - fsyncs
        #expect(cost >= 1 && cost <= 3, "\(cost) fsyncs for one batch")
        #expect(storage.bytesWritten - bytes >= entries.map(recordSize).reduce(0, +))

        // Unsynced appends cost nothing; the next sync covers all of them with one fsync.
        let before = storage.fsyncCount
        for i in 0..<10 {
            try storage.save(hardState: nil, entries: makeEntries(LogIndex(101 + 10 * i)...LogIndex(110 + 10 * i), term: 1), sync: false)
        }
        #expect(storage.fsyncCount == before)
        try storage.save(hardState: nil, entries: [], sync: true)
        #expect(storage.fsyncCount == before + 1)
        try storage.save(hardState: nil, entries: [], sync: true)
        #expect(storage.fsyncCount == before + 1)  // nothing new to sync
    }

    @Test func hardStateIsReplacedWithAFileAndADirectoryFsync() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        defer { storage.close() }
        // A vote alone: the new file, then the directory holding the rename.
        var fsyncs = storage.fsyncCount
        try storage.save(hardState: HardState(term: 1, vote: 1), entries: [], sync: true)
        #expect(storage.fsyncCount - fsyncs == 2)
        // Entries and a new term together: the log first, then the hard state.
        fsyncs = storage.fsyncCount
        try storage.save(hardState: HardState(term: 2, vote: 2), entries: makeEntries(1...10, term: 2), sync: true)
        #expect(storage.fsyncCount - fsyncs == 3)
        // Unchanged hard state: only the log.
        fsyncs = storage.fsyncCount
        try storage.save(hardState: HardState(term: 2, vote: 2), entries: makeEntries(11...12, term: 2), sync: true)
        #expect(storage.fsyncCount - fsyncs == 1)
        #expect(!FileManager.default.fileExists(atPath: dir + "/hardstate.tmp"))
    }

    @Test func fsyncCanBeTurnedOff() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let (storage, _) = try openOK(tmp.sub("d"), options: StorageOptions(fsync: false))
        try storage.save(hardState: HardState(term: 1, vote: 1), entries: makeEntries(1...50, term: 1), sync: true)
        #expect(storage.fsyncCount == 0)
        #expect(storage.bytesWritten > 0)
        storage.close()
    }

    @Test func voteIsDurableAtOnceAndCommitOnlyChangesWaitForASync() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 0), entries: makeEntries(1...5, term: 1), sync: true)
        let onDisk = readBytes(dir + "/hardstate")

        // Commit advanced, no sync asked: nothing written yet, no fsync.
        let fsyncs = storage.fsyncCount
        try storage.save(hardState: HardState(term: 1, vote: 1, commit: 4), entries: [], sync: false)
        #expect(storage.fsyncCount == fsyncs)
        #expect(readBytes(dir + "/hardstate") == onDisk)
        #expect(storage.hardState.commit == 4)

        // A vote in a new term is written and synced even without sync.
        try storage.save(hardState: HardState(term: 2, vote: 3, commit: 4), entries: [], sync: false)
        #expect(storage.fsyncCount > fsyncs)
        #expect(try HardStateFile.decode(readBytes(dir + "/hardstate"), path: "") == HardState(term: 2, vote: 3, commit: 4))

        // A later commit-only change is written by close.
        try storage.save(hardState: HardState(term: 2, vote: 3, commit: 5), entries: [], sync: false)
        storage.close()
        let (reopened, state) = try openOK(dir)
        #expect(state.hardState == HardState(term: 2, vote: 3, commit: 5))
        reopened.close()
    }

    @Test func badSavesAreRefusedWithoutWritingOrStoppingStorage() throws {
        let tmp = TempDir(); defer { tmp.remove() }
        let dir = tmp.sub("d")
        let (storage, _) = try openOK(dir)
        try storage.save(hardState: HardState(term: 1, vote: 1), entries: makeEntries(1...3, term: 1), sync: true)
        let size = fileSize(segment(dir, 1))
        #expect(throws: StorageError.self) { try storage.save(hardState: nil, entries: makeEntries(5...6, term: 1), sync: true) }
        #expect(throws: StorageError.self) { try storage.save(hardState: nil, entries: [Entry(term: 1, index: 0)], sync: true) }
        #expect(throws: StorageError.self) {
            try storage.save(hardState: nil, entries: [Entry(term: 1, index: 4), Entry(term: 1, index: 6)], sync: true)
        }
        #expect(throws: StorageError.self) { try storage.save(hardState: HardState(term: 1, vote: 1, commit: 9), entries: [], sync: true) }
        #expect(fileSize(segment(dir, 1)) == size)
        try storage.save(hardState: nil, entries: makeEntries(4...4, term: 1), sync: true)
        #expect(storage.lastIndex == 4)
        storage.close()
        #expect(throws: StorageError.self) { try storage.save(hardState: nil, entries: makeEntries(5...5, term: 1), sync: true) }
    }
}
