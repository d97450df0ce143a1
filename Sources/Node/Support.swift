import NIOCore
import RaftCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one line to standard error (unbuffered, one `write` call, so lines of several threads
/// do not interleave).
public func logError(_ line: String) {
    writeAll(line + "\n", to: 2)
}

/// Writes `text` to file descriptor `fd` whole, retrying short writes.
func writeAll(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { buf in
        var off = 0
        while off < buf.count {
            let n = write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            off += n
        }
    }
}

/// Ends the process with `code` (used when a node cannot go on safely).
func terminateProcess(_ code: Int32) -> Never {
    exit(code)
}

extension HostPort {
    /// The socket address of this host and port: a numeric address as is, `localhost` as
    /// 127.0.0.1, anything else through the resolver.
    public func socketAddress() throws(NodeConfigError) -> SocketAddress {
        let h = host == "localhost" ? "127.0.0.1" : host
        if let a = try? SocketAddress(ipAddress: h, port: port) { return a }
        do {
            return try SocketAddress.makeAddressResolvingHost(h, port: port)
        } catch {
            throw NodeConfigError("cannot resolve '\(self)': \(error)")
        }
    }
}

extension Duration {
    public var timeAmount: TimeAmount { .nanoseconds(NodeConfig.nanoseconds(self)) }
}

/// A clear text for a failed bind.
public func describeBindError(_ error: any Error, address: String) -> String {
    if let io = error as? IOError {
        switch io.errnoCode {
        case EADDRINUSE: return "cannot listen on \(address): address already in use (is another node running there?)"
        case EADDRNOTAVAIL: return "cannot listen on \(address): no such local address"
        case EACCES: return "cannot listen on \(address): permission denied"
        default: break
        }
    }
    return "cannot listen on \(address): \(error)"
}

/// Whether `a` is a loopback address (127.0.0.0/8 or ::1).
public func isLoopback(_ a: SocketAddress) -> Bool {
    guard let ip = a.ipAddress else { return false }
    return ip.hasPrefix("127.") || ip == "::1"
}
