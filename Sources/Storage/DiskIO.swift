#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What is at a path.
enum PathKind { case missing, file, directory, other }

/// Thin POSIX wrappers that turn every failure into a `StorageError` naming the path and
/// the errno text, and count fsyncs and bytes written. Not thread-safe: its owner locks.
final class DiskIO {
    let fsyncEnabled: Bool
    private(set) var fsyncs = 0
    private(set) var bytes = 0

    init(fsyncEnabled: Bool) { self.fsyncEnabled = fsyncEnabled }

    static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code)) + " (errno \(code))"
    }

    /// An error for a failed system call, read from `errno` by the caller right after the call.
    static func failure(_ what: String, _ path: String, _ code: Int32) -> StorageError {
        StorageError(message: "cannot \(what) \(path): \(errnoText(code))", path: path)
    }

    func kind(of path: String) throws(StorageError) -> PathKind {
        var st = stat()
        if stat(path, &st) != 0 {
            let code = errno
            if code == ENOENT { return .missing }
            throw DiskIO.failure("examine", path, code)
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    func open(_ path: String, _ flags: Int32, what: String, mode: mode_t = 0o644) throws(StorageError) -> Int32 {
        while true {
            let fd = Self.sysOpen(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            throw DiskIO.failure(what, path, code)
        }
    }

    private static func sysOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        #if canImport(Glibc)
        return Glibc.open(path, flags, mode)
        #elseif canImport(Musl)
        return Musl.open(path, flags, mode)
        #else
        return Darwin.open(path, flags, mode)
        #endif
    }

    func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #elseif canImport(Musl)
        _ = Musl.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// The whole content of a file (as large as `fstat` says it is when opened).
    func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = try open(path, O_RDONLY, what: "open for reading")
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DiskIO.failure("examine", path, errno) }
        let size = Int(st.st_size)
        var buffer = [UInt8](repeating: 0, count: size)
        var done = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            while done < size {
                let n = pread(fd, raw.baseAddress! + done, size - done, off_t(done))
                if n > 0 { done += n; continue }
                if n == 0 { break }
                if errno == EINTR { continue }
                failure = errno
                break
            }
        }
        if failure != 0 { throw DiskIO.failure("read", path, failure) }
        if done < size { buffer.removeLast(size - done) }
        return buffer
    }

    /// Writes all of `data` at `offset`.
    func write(_ fd: Int32, _ data: [UInt8], at offset: Int, path: String) throws(StorageError) {
        var done = 0
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n > 0 { done += n; continue }
                if n < 0 && errno == EINTR { continue }
                failure = n == 0 ? EIO : errno
                break
            }
        }
        bytes += done
        if failure != 0 { throw DiskIO.failure("write", path, failure) }
    }

    /// Writes all of `data` at `offset` through a descriptor opened for direct, synchronous writes
    /// (`DirectSegmentWriter`): `data` starts at a `blockSize`-aligned address and offset and is a
    /// whole number of blocks long. When it returns, the data is on stable storage: counted as a
    /// write and as a sync.
    func writeSynced(_ fd: Int32, _ data: UnsafeRawBufferPointer, at offset: Int, blockSize: Int,
                     path: String) throws(StorageError) {
        var done = 0
        while done < data.count {
            let n = pwrite(fd, data.baseAddress! + done, data.count - done, off_t(offset + done))
            let code = n < 0 ? errno : EIO
            if n < 0 && code == EINTR { continue }
            // A short direct write goes on from the last whole block it wrote; one that wrote no
            // whole block fails.
            let next = n > 0 ? (done + n) / blockSize * blockSize : done
            if next <= done {
                bytes += done
                throw DiskIO.failure("write (direct, synchronous)", path, code)
            }
            done = next
        }
        bytes += done
        fsyncs += 1
    }

    /// fsync (a no-op when fsync is disabled in the options).
    func sync(_ fd: Int32, path: String) throws(StorageError) {
        try flush("fsync", path) { fsync(fd) }
    }

    /// fdatasync: the data written and what is needed to read it back (the size, if it grew), not
    /// timestamps. In a preallocated file that is one cache flush and no journal commit. A no-op
    /// when fsync is disabled in the options; counted with the fsyncs.
    func datasync(_ fd: Int32, path: String) throws(StorageError) {
        try flush("fdatasync", path) { fdatasync(fd) }
    }

    /// Runs the flush `call` (again after EINTR) when fsync is enabled, and counts it.
    private func flush(_ name: String, _ path: String, _ call: () -> Int32) throws(StorageError) {
        guard fsyncEnabled else { return }
        while call() != 0 {
            let code = errno
            if code == EINTR { continue }
            throw DiskIO.failure(name, path, code)
        }
        fsyncs += 1
    }

    /// The size of the open file `fd`.
    func size(of fd: Int32, path: String) throws(StorageError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DiskIO.failure("fstat", path, errno) }
        return Int(st.st_size)
    }

    /// fsync a directory, making the creation, removal or renaming of its entries durable.
    func syncDirectory(_ path: String) throws(StorageError) {
        guard fsyncEnabled else { return }
        let fd = try open(path, O_RDONLY | O_DIRECTORY, what: "open directory")
        defer { close(fd) }
        try sync(fd, path: path)
    }

    func truncate(_ fd: Int32, to size: Int, path: String) throws(StorageError) {
        while ftruncate(fd, off_t(size)) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw DiskIO.failure("truncate", path, code)
        }
    }

    /// Creates a directory; an existing directory is fine. Its parent is synced.
    func makeDirectory(_ path: String) throws(StorageError) {
        if mkdir(path, 0o755) == 0 {
            try syncDirectory(parent(of: path))
            return
        }
        let code = errno
        if code == EEXIST, try kind(of: path) == .directory { return }
        throw DiskIO.failure("create directory", path, code)
    }

    /// Creates a directory and any missing parents (`mkdir -p`).
    func makeDirectories(_ path: String) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            switch try kind(of: prefix) {
            case .directory: continue
            case .missing: try makeDirectory(prefix)
            case .file, .other:
                throw StorageError(message: "cannot create directory \(path): \(prefix) is a file, not a directory",
                                   path: prefix)
            }
        }
    }

    func list(_ path: String) throws(StorageError) -> [String] {
        guard let dir = opendir(path) else { throw DiskIO.failure("list directory", path, errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Atomically replaces `directory/name` with `data`: write `name.tmp`, fsync it,
    /// rename it over `name`, fsync the directory.
    func replaceFile(directory: String, name: String, data: [UInt8]) throws(StorageError) {
        let path = directory + "/" + name
        let temp = path + ".tmp"
        let fd = try open(temp, O_WRONLY | O_CREAT | O_TRUNC, what: "create")
        do {
            try write(fd, data, at: 0, path: temp)
            try sync(fd, path: temp)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        if rename(temp, path) != 0 {
            throw StorageError(message: "cannot rename \(temp) to \(path): \(DiskIO.errnoText(errno))", path: path)
        }
        try syncDirectory(directory)
    }

    /// Removes a file; one that does not exist is fine.
    func removeFile(_ path: String) throws(StorageError) {
        if unlink(path) != 0 {
            let code = errno
            if code == ENOENT { return }
            throw DiskIO.failure("remove", path, code)
        }
    }

    /// Renames `from` to `to` (replacing `to`).
    func renameFile(_ from: String, to: String) throws(StorageError) {
        if rename(from, to) != 0 {
            throw StorageError(message: "cannot rename \(from) to \(to): \(DiskIO.errnoText(errno))", path: from)
        }
    }

    func checkAccess(_ path: String) throws(StorageError) {
        if access(path, R_OK | W_OK | X_OK) != 0 {
            let code = errno
            throw StorageError(
                message: "data directory \(path) is not readable and writable: \(DiskIO.errnoText(code))", path: path)
        }
    }

    func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
