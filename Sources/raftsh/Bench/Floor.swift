import Foundation
import RaftCore
import Storage
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
    /// What raftd's own log costs (for reference; the floor keeps the plain append): one synced
    /// save of a 128-byte entry through `NodeStorage`, alone and with three logs saving at once.
    var log = LogSync()

    /// Synced saves of one 128-byte entry through raftd's storage (`NodeStorage`), as its log
    /// writes them on this file system (`writesDirectly`: direct synchronous writes, else a write
    /// and `fdatasync`).
    struct LogSync {
        /// p50 with one log saving.
        var alone: UInt64 = 0
        /// CPU time (user and system, of the saving thread) per save with one log saving, in
        /// nanoseconds: what one durable write costs the machine's processors, besides its wait.
        var cpuAlone: UInt64 = 0
        /// p50 and p99 over three logs saving at once (each in its own data directory), as the
        /// three nodes of a cluster on one machine do: the disk's own tail under a cluster's load.
        var sharedP50: UInt64 = 0
        var sharedP99: UInt64 = 0
        var writesDirectly = false
    }

    /// fsync + 2 round trips.
    var total: UInt64 { fsync + 2 * roundTrip }

    /// Measure both: `samples` fsyncs in a file under `directory`, and `samples` round trips; then
    /// raftd's log, alone and three at once.
    static func measure(directory: String, samples: Int = 300) throws -> Floor {
        var f = Floor(fsync: try fsyncP50(directory: directory, samples: samples), roundTrip: try roundTripP50(samples: samples * 3))
        let alone = try logSyncTimes(directory: directory, logs: 1, samples: samples)
        let shared = try logSyncTimes(directory: directory, logs: 3, samples: samples)
        f.log = LogSync(alone: percentile(alone.times, 50), cpuAlone: alone.cpuPerSave,
                        sharedP50: percentile(shared.times, 50), sharedP99: percentile(shared.times, 99),
                        writesDirectly: alone.direct)
        return f
    }

    /// The times of `samples` synced saves of one 128-byte entry by each of `logs` `NodeStorage`s
    /// saving at once (each in a data directory of its own under `directory`, removed after), the
    /// saving threads' CPU time per save (nanoseconds), and whether they wrote directly.
    static func logSyncTimes(directory: String, logs: Int, samples: Int) throws
        -> (times: [UInt64], cpuPerSave: UInt64, direct: Bool) {
        let base = "\(directory)/raftsh-floor-log-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        var storages: [NodeStorage] = []
        do {
            for i in 0..<logs {
                let s = try NodeStorage.open(directory: "\(base)/\(i + 1)", nodeID: UInt64(i + 1), clusterID: "floor")
                // The first save creates the segment's preallocated chunk: not timed.
                try s.save(hardState: nil, entries: [Entry(term: 1, index: 1, data: [UInt8](repeating: 0x5A, count: 128))], sync: true)
                storages.append(s)
            }
        } catch {
            for s in storages { s.close() }
            throw Floor.Failure("cannot measure the log's syncs in \(base): \(error)")
        }
        defer { for s in storages { s.close() } }
        /// What the writers' threads report, under its lock.
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var times: [UInt64] = []
            var cpu: UInt64 = 0
            var failure: String?
        }
        let results = Results()
        let start = DispatchGroup(), done = DispatchGroup()
        start.enter()
        for s in storages {
            done.enter()
            Thread {
                start.wait()
                var own: [UInt64] = []
                own.reserveCapacity(samples)
                var error: String?
                let cpu0 = threadCPU()
                for i in 0..<samples {
                    let e = Entry(term: 1, index: LogIndex(i + 2), data: [UInt8](repeating: 0x5A, count: 128))
                    let t0 = ContinuousClock.now
                    do { try s.save(hardState: nil, entries: [e], sync: true) } catch let e { error = "\(e)"; break }
                    own.append(ns(ContinuousClock.now - t0))
                }
                let cpu = threadCPU() - cpu0
                results.lock.lock()
                results.times += own
                results.cpu += cpu
                if let error { results.failure = error }
                results.lock.unlock()
                done.leave()
            }.start()
        }
        start.leave()
        done.wait()
        if let failure = results.failure { throw Floor.Failure("a synced save failed while measuring the log: \(failure)") }
        let saves = UInt64(max(results.times.count, 1))
        return (results.times, results.cpu / saves, storages.allSatisfy(\.writesDirectly))
    }

    /// The calling thread's CPU time so far (user and system), in nanoseconds.
    private static func threadCPU() -> UInt64 {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// p50 of appending 128 bytes and fsyncing.
    static func fsyncP50(directory: String, samples: Int) throws -> UInt64 {
        let path = "\(directory)/raftsh-floor-\(getpid()).dat"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Floor.Failure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer {
            close(fd)
            unlink(path)
        }
        let record = [UInt8](repeating: 0x5A, count: 128)
        var times: [UInt64] = []
        for i in 0..<samples {
            let t0 = ContinuousClock.now
            _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(i * 128)) }
            _ = Glibc.fsync(fd)
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

    private static func median(_ xs: [UInt64]) -> UInt64 { percentile(xs, 50) }

    /// The `p`th percentile of `xs` (0 for none), through the loads' own HdrHistogram.
    private static func percentile(_ xs: [UInt64], _ p: Double) -> UInt64 {
        LoadSample(latencies: xs).percentile(p) ?? 0
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// `floor 0.61ms = fsync 0.58ms + 2 x UDP round trip 0.016ms`.
    var text: String {
        "floor \(ms(total)) = fsync of a 128-byte append \(ms(fsync)) + 2 x loopback UDP round trip \(ms(roundTrip))"
            + "\n(for reference, raftd's log: a synced save of one 128-byte entry, "
            + (log.writesDirectly ? "a direct synchronous write" : "a write and fdatasync")
            + ": p50 \(ms(log.alone)) alone, \(log.cpuAlone / 1_000)us of CPU each;\n three logs saving at once, as a cluster's nodes on one disk:"
            + " p50 \(ms(log.sharedP50)), p99 \(ms(log.sharedP99)))"
    }

    /// `value` as a multiple of the floor (nil when either is unknown).
    func times(_ value: UInt64?) -> Double? {
        guard let value, total > 0 else { return nil }
        return Double(value) / Double(total)
    }

    /// `x1.7` of the floor.
    func ratio(_ value: UInt64?) -> String {
        times(value).map { String(format: "x%.1f", $0) } ?? "-"
    }
}
