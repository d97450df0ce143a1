#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls the C library has but Swift's Glibc module does not declare (`setns`,
/// `pipe2`), reached through their addresses.
enum SystemCalls {
    /// `CLONE_NEWNET`: the network namespace type for `setns`.
    static let newNetworkNamespace: Int32 = 0x4000_0000

    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
    }

    /// `setns(fd, type)`, or -1 with `errno` ENOSYS where the C library has none.
    static func setns(_ fd: Int32, _ type: Int32) -> Int32 {
        guard let s = symbol("setns") else {
            errno = ENOSYS
            return -1
        }
        return unsafeBitCast(s, to: SetNS.self)(fd, type)
    }

    /// A pipe whose two ends are close-on-exec from the start (`pipe2(O_CLOEXEC)`), so no child
    /// started meanwhile by another thread inherits them; falls back to `pipe` and `fcntl`.
    static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        if let s = symbol("pipe2") {
            guard unsafeBitCast(s, to: Pipe2.self)(&fds, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return (fds[0], fds[1])
    }
}
