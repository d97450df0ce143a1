import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The physical floor of a durable replicated put on this machine, measured in the same run as the
/// figures compared with it: one fsync of a small append in the data directory's file system, and
/// two round trips over loopback UDP (client to leader to follower and back, the follower's answer
/// and the leader's reply overlapping the rest).
struct Floor {
    /// p50 of appending 128 bytes to a file and fsyncing it.
    var fsync: UInt64
    /// p50 of a 64-byte UDP round trip over loopback.
    var roundTrip: UInt64
    /// p50 of writing 128 bytes into a zero-filled (preallocated) file and fdatasyncing it: what
    /// raftd's own log writes cost (for reference; the floor keeps the plain append).
    var preallocatedSync: UInt64 = 0

    /// fsync + 2 round trips.
    var total: UInt64 { fsync + 2 * roundTrip }

    /// Measure both: `samples` fsyncs in a file under `directory`, and `samples` round trips.
    static func measure(directory: String, samples: Int = 300) throws -> Floor {
        var f = Floor(fsync: try fsyncP50(directory: directory, samples: samples), roundTrip: try roundTripP50(samples: samples * 3))
        f.preallocatedSync = try fsyncP50(directory: directory, samples: samples, preallocated: true)
        return f
    }

    /// p50 of appending 128 bytes and fsyncing, or (`preallocated`) of overwriting 128 zero bytes
    /// of a file filled beforehand and fdatasyncing.
    static func fsyncP50(directory: String, samples: Int, preallocated: Bool = false) throws -> UInt64 {
        let path = "\(directory)/raftsh-floor-\(getpid()).dat"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Floor.Failure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(path)
        }
        let record = [UInt8](repeating: 0x5A, count: 128)
        if preallocated {
            let zeros = [UInt8](repeating: 0, count: 128 * samples)
            _ = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
            _ = Glibc.fsync(fd)
        }
        var times: [UInt64] = []
        for i in 0..<samples {
            let t0 = ContinuousClock.now
            _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(i * 128)) }
            _ = preallocated ? Glibc.fdatasync(fd) : Glibc.fsync(fd)
            times.append(ns(ContinuousClock.now - t0))
        }
        return median(times)
    }

    static func roundTripP50(samples: Int) throws -> UInt64 {
        func boundSocket() throws -> (Int32, sockaddr_in) {
            let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard s >= 0 else { throw Floor.Failure("socket: \(String(cString: strerror(errno)))") }
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                    bind(s, p, len) == 0 && getsockname(s, p, &len) == 0
                }
            }
            guard ok else { close(s); throw Floor.Failure("bind: \(String(cString: strerror(errno)))") }
            return (s, a)
        }
        let (echo, echoAddress) = try boundSocket()
        let (client, _) = try boundSocket()
        defer { close(client) }
        let echoer = Thread {
            var buf = [UInt8](repeating: 0, count: 256)
            var from = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            while true {
                let n = withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(echo, &buf, buf.count, 0, $0, &len) }
                }
                if n <= 0 { break }
                if n == 1 && buf[0] == 0xFF { break }
                _ = withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(echo, buf, n, 0, $0, len) }
                }
            }
            close(echo)
        }
        echoer.start()
        var to = echoAddress
        func send(_ bytes: [UInt8]) {
            _ = withUnsafePointer(to: &to) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(client, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        defer { send([0xFF]) }
        let payload = [UInt8](repeating: 7, count: 64)
        var buf = [UInt8](repeating: 0, count: 256)
        var times: [UInt64] = []
        for _ in 0..<samples {
            let t0 = ContinuousClock.now
            send(payload)
            _ = recv(client, &buf, buf.count, 0)
            times.append(ns(ContinuousClock.now - t0))
        }
        return median(times)
    }

    private static func median(_ xs: [UInt64]) -> UInt64 {
        let s = xs.sorted()
        return s[s.count / 2]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// `floor 0.61ms = fsync 0.58ms + 2 x UDP round trip 0.016ms`.
    var text: String {
        "floor \(ms(total)) = fsync of a 128-byte append \(ms(fsync)) + 2 x loopback UDP round trip \(ms(roundTrip))"
            + "\n(for reference: fdatasync of 128 bytes written into a preallocated file, as raftd's log does: \(ms(preallocatedSync)))"
    }

    /// `x 1.7` of the floor.
    func ratio(_ value: UInt64?) -> String {
        guard let value, total > 0 else { return "-" }
        return String(format: "x%.1f", Double(value) / Double(total))
    }
}
