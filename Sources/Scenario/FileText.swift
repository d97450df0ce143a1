#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ClusterModel

/// Reading and writing the text files raftsh is asked for (scenarios, saved sessions, reports),
/// with errors that name the path and the reason in plain words: "cannot write /x/s.scn: no such
/// file or directory".
public enum FileText {
    /// Writes `text` to `path` (through a temporary file in the same folder, renamed into place).
    public static func write(_ text: String, to path: String) throws(ClusterError) {
        let temporary = path + ".tmp-\(getpid())"
        guard let f = fopen(temporary, "w") else { throw failure("write", path) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let flushed = fflush(f) == 0
        let savedErrno = errno
        fclose(f)
        guard written == bytes.count, flushed else {
            unlink(temporary)
            errno = savedErrno
            throw failure("write", path)
        }
        guard rename(temporary, path) == 0 else {
            let e = errno
            unlink(temporary)
            errno = e
            throw failure("write", path)
        }
    }

    /// The UTF-8 text of `path`.
    public static func read(_ path: String) throws(ClusterError) -> String {
        guard let f = fopen(path, "r") else { throw failure("read", path) }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { bytes += buffer[0..<n] }
            if n < buffer.count {
                if ferror(f) != 0 { throw failure("read", path) }
                break
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ClusterError("cannot read \(path): it is not UTF-8 text")
        }
        return text
    }

    /// "cannot VERB PATH: REASON", the reason from `errno` in lower case.
    static func failure(_ verb: String, _ path: String) -> ClusterError {
        var reason = String(cString: strerror(errno))
        if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
        if errno == EISDIR { reason = "it is a folder" }
        return ClusterError("cannot \(verb) \(path): \(reason)")
    }
}
