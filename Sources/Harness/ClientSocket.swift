import NIOCore
import Node

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A datagram sender's address as the kernel reports it: family, port and address bytes, so that
/// a received datagram is matched to a node with no conversion and no allocation.
struct RawAddress: Hashable, Sendable {
    var family: UInt16
    var port: UInt16
    var high: UInt64
    var low: UInt64

    /// The raw form of `address` (IPv4 or IPv6; nil for a Unix socket path).
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let a):
            self.init(v4: a.address)
        case .v6(let a):
            self.init(v6: a.address)
        case .unixDomainSocket:
            return nil
        }
    }

    init(v4 a: sockaddr_in) {
        family = UInt16(AF_INET)
        port = a.sin_port
        high = 0
        low = UInt64(a.sin_addr.s_addr)
    }

    init(v6 a: sockaddr_in6) {
        family = UInt16(AF_INET6)
        port = a.sin6_port
        var bytes = a.sin6_addr
        let (h, l) = withUnsafeBytes(of: &bytes) { ($0.load(fromByteOffset: 0, as: UInt64.self), $0.load(fromByteOffset: 8, as: UInt64.self)) }
        high = h
        low = l
    }

    /// The sender in `storage` (as filled by `recvfrom`), or nil for another family.
    init?(_ storage: inout sockaddr_storage) {
        switch Int32(storage.ss_family) {
        case AF_INET:
            let a = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(v4: a)
        case AF_INET6:
            let a = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            self.init(v6: a)
        default:
            return nil
        }
    }
}

/// The non-blocking UDP socket of a `UDPClient`, read by the calling thread itself (no event loop,
/// no thread hop between a datagram and the caller), and a wake descriptor that another thread
/// signals (a pipe) to cut a wait short (`cancel`, `close`).
final class ClientSocket {
    /// Why a wait ended.
    enum Wake {
        /// A datagram may be readable.
        case readable
        /// The deadline passed.
        case timedOut
        /// `wake()` was called.
        case woken
    }

    let fd: Int32
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private var buffer: [UInt8]
    private var closed = false

    /// A socket bound to `host` on a port the kernel picks, or `adopting` a socket already bound
    /// (made non-blocking here; closed with this one).
    init(host: String, v6: Bool, adopting bound: Int32?) throws(UDPClientError) {
        let fd: Int32
        if let bound {
            fd = bound
        } else {
            fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw UDPClientError("cannot make a UDP socket: \(String(cString: strerror(errno)))") }
            do {
                let local = try SocketAddress(ipAddress: host, port: 0)
                let r = local.withSockAddr { bind(fd, $0, socklen_t($1)) }
                if r != 0 { throw UDPClientError("cannot listen on \(host):0: \(String(cString: strerror(errno)))") }
            } catch let e as UDPClientError {
                close(fd)
                throw e
            } catch {
                close(fd)
                throw UDPClientError("cannot listen on \(host):0: \(error)")
            }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var size: Int32 = 1 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            close(fd)
            throw UDPClientError("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for e in ends {
            _ = fcntl(e, F_SETFD, FD_CLOEXEC)
            _ = fcntl(e, F_SETFL, fcntl(e, F_GETFL) | O_NONBLOCK)
        }
        self.fd = fd
        self.wakeFD = ends[0]
        self.wakeWriteFD = ends[1]
        self.buffer = [UInt8](repeating: 0, count: 65_536)
    }

    deinit { closeNow() }

    /// The address the socket is bound to.
    var localAddress: SocketAddress? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard r == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let a = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return SocketAddress(a, host: "")
        case AF_INET6:
            let a = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            return SocketAddress(a, host: "")
        default:
            return nil
        }
    }

    /// Send `bytes` to `address` (errors are ignored: a datagram may be lost anyway, and the
    /// client's attempt timer covers it).
    func send(_ bytes: [UInt8], to address: SocketAddress) {
        guard !closed else { return }
        _ = bytes.withUnsafeBytes { b in
            address.withSockAddr { sa, len in sendto(fd, b.baseAddress, b.count, Int32(MSG_DONTWAIT), sa, socklen_t(len)) }
        }
    }

    /// Read one datagram if one is waiting and hand it to `body` with its sender; false when none is.
    func receive(_ body: (ArraySlice<UInt8>, RawAddress?) -> Void) -> Bool {
        guard !closed else { return false }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = self.fd
        let n = buffer.withUnsafeMutableBytes { b in
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, Int32(MSG_DONTWAIT), $0, &len) }
            }
        }
        guard n >= 0 else { return false }
        body(buffer[0..<n], RawAddress(&storage))
        return true
    }

    /// Wait until a datagram may be readable, `deadline` (monotonic nanoseconds) passes, or
    /// `wake()` is called.
    func wait(until deadline: UInt64) -> Wake {
        guard !closed else { return .woken }
        let now = Self.now()
        guard deadline > now else { return .timedOut }
        // poll counts whole milliseconds: round up, so a timer never fires early.
        let ms = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        let r = poll(&fds, 2, ms)
        if r <= 0 { return r == 0 ? .timedOut : .readable }
        if fds[1].revents != 0 { return .woken }
        return .readable
    }

    /// Make every wait return at once, now and from now on (the descriptor stays readable).
    func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }

    /// Close both descriptors (the caller makes sure nobody waits on them).
    func closeNow() {
        guard !closed else { return }
        closed = true
        close(fd)
        close(wakeFD)
        close(wakeWriteFD)
    }

    /// The monotonic clock in nanoseconds.
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
