#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket the harness binds for a node and holds for as long as the node belongs to a
/// cluster, so that the node's port cannot be taken by anyone else, ever: not between choosing a
/// port and binding it (the kernel picks a free port at `bind(port 0)`, atomically), and not while
/// the node is down between a crash and its restart. Each start of the node gets a copy of the
/// socket (`raftd --listen-fd`, or `NodeConfig.listenDescriptor` in process) and reads from it;
/// the harness never reads from it except to `drain` what queued while the node was down.
///
/// The descriptor is close-on-exec: only the node it is passed to inherits it.
public final class BoundUDPSocket: @unchecked Sendable {
    /// The socket's descriptor (-1 once closed).
    public private(set) var fd: Int32
    /// The address it is bound to.
    public let host: String
    public let port: Int

    /// `host:port`.
    public var address: String { "\(host):\(port)" }

    /// Bind a fresh IPv4 UDP socket to `host` (a numeric address) on a port the kernel picks.
    public init(host: String = "127.0.0.1") throws(ProcessError) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessError("socket(): \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            _ = closeDescriptor(fd)
            throw ProcessError("'\(host)' is not a numeric IPv4 address")
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let why = String(cString: strerror(errno))
            _ = closeDescriptor(fd)
            throw ProcessError("cannot bind a UDP socket on \(host): \(why)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        self.host = host
        self.port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// `n` sockets on `host`, all bound before any is returned.
    public static func several(_ n: Int, host: String = "127.0.0.1") throws(ProcessError) -> [BoundUDPSocket] {
        var out: [BoundUDPSocket] = []
        for _ in 0..<n { out.append(try BoundUDPSocket(host: host)) }
        return out
    }

    /// A new close-on-exec descriptor of the same socket, numbered 10 or above, for one start of
    /// the node (in process, the daemon closes it when it stops).
    public func duplicate() throws(ProcessError) -> Int32 {
        guard fd >= 0 else { throw ProcessError("the socket for \(address) is closed") }
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        guard copy >= 0 else { throw ProcessError("cannot duplicate the socket for \(address): \(String(cString: strerror(errno)))") }
        return copy
    }

    /// Read and discard every datagram queued on the socket; returns how many. Only while no node
    /// runs on it: what was sent to a node that was down is lost, as it would be in a real crash.
    @discardableResult
    public func drain() -> Int {
        guard fd >= 0 else { return 0 }
        var buffer = [UInt8](repeating: 0, count: 2_048)
        var n = 0
        while n < 1_000_000 {
            let r = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if r < 0 && errno == EINTR { continue }
            if r < 0 { break }
            n += 1
        }
        return n
    }

    /// Close the harness's descriptor (copies handed out stay open). Safe to call twice.
    public func close() {
        guard fd >= 0 else { return }
        _ = closeDescriptor(fd)
        fd = -1
    }

    deinit { close() }
}

/// `close(2)`, named apart from `BoundUDPSocket.close()`.
private func closeDescriptor(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(fd)
    #elseif canImport(Musl)
    return Musl.close(fd)
    #else
    return Darwin.close(fd)
    #endif
}
