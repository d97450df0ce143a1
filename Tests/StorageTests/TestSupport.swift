import Foundation
import RaftCore
@testable import Storage
@_exported import TestSupport  // the shared SplitMix64, for every file of this target

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDir {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + (NSTemporaryDirectory().hasSuffix("/") ? "" : "/") + "storage-test.XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func sub(_ name: String) -> String { path + "/" + name }

    func removeChild(_ name: String) { try? FileManager.default.removeItem(atPath: sub(name)) }

    func remove() {
        // Undo any chmod a test made so the tree can be deleted.
        if let items = FileManager.default.enumerator(atPath: path) {
            for case let item as String in items { chmod(path + "/" + item, 0o755) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

func readBytes(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return [UInt8](data)
}

func writeBytes(_ path: String, _ bytes: [UInt8]) {
    let ok = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    precondition(ok, "cannot write \(path)")
}

func fileSize(_ path: String) -> Int { readBytes(path).count }

/// Every regular file under `dir` with its bytes, to show that nothing changed.
func snapshot(_ dir: String) -> [String: [UInt8]] {
    var result: [String: [UInt8]] = [:]
    if let items = FileManager.default.enumerator(atPath: dir) {
        for case let item as String in items {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + item, isDirectory: &isDir), !isDir.boolValue {
                result[item] = readBytes(dir + "/" + item)
            }
        }
    }
    return result
}

func copyTree(_ from: String, _ to: String) {
    try? FileManager.default.removeItem(atPath: to)
    do { try FileManager.default.copyItem(atPath: from, toPath: to) } catch { preconditionFailure("copy: \(error)") }
}

func segment(_ dir: String, _ n: Int) -> String {
    dir + "/wal/" + String(repeating: "0", count: 12 - String(n).count) + String(n) + ".log"
}

func makeEntries(_ range: ClosedRange<LogIndex>, term: Term, tag: String = "v") -> [Entry] {
    range.map { Entry(term: term, index: $0, kind: .normal, data: Array("\(tag)-\($0)".utf8)) }
}

/// Writes `records` as the whole of segment 1 of data directory `dir`; returns the bytes written
/// and where each record starts.
@discardableResult
func writeSegment(_ dir: String, _ records: [WALRecord]) -> (bytes: [UInt8], offsets: [Int]) {
    var bytes: [UInt8] = []
    var offsets: [Int] = []
    for record in records {
        offsets.append(bytes.count)
        WALFormat.append(record, to: &bytes)
    }
    writeBytes(segment(dir, 1), bytes)
    return (bytes, offsets)
}

/// The size of an entry record on disk, computed from the documented format
/// (header 8, type 1, term 8, index 8, kind 1, data).
func recordSize(_ e: Entry) -> Int { 8 + 1 + 8 + 8 + 1 + e.data.count }

typealias SplitMix = SplitMix64

/// Opens, expecting success; returns the storage and a copy of what it recovered.
func openOK(_ dir: String, node: UInt64 = 1, cluster: String = "c1",
            options: StorageOptions = StorageOptions()) throws -> (NodeStorage, PersistentState) {
    let storage = try NodeStorage.open(directory: dir, nodeID: node, clusterID: cluster, options: options)
    return (storage, PersistentState(copying: storage))
}

/// Opens, expecting a StorageError; returns it (nil if open succeeded).
func openError(_ dir: String, node: UInt64 = 1, cluster: String = "c1",
               options: StorageOptions = StorageOptions()) -> StorageError? {
    do {
        try NodeStorage.open(directory: dir, nodeID: node, clusterID: cluster, options: options).close()
        return nil
    } catch {
        return error
    }
}
