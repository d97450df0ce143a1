import Foundation
import Dispatch
import Histogram

/// Something that takes one put at a time and says whether it was acknowledged: a raftd client,
/// an etcd client. The loads below drive every system through this one shape, so their figures
/// compare.
protocol PutTarget: AnyObject, Sendable {
    /// Write `value` under `key`; true once the system acknowledged it.
    func put(key: String, value: String) -> Bool
}

/// Latencies of one run.
struct LoadSample: Sendable {
    var latencies: [UInt64] = []
    var failed = 0
    var count: Int { latencies.count }

    mutating func record(_ ns: UInt64) { latencies.append(ns) }
    mutating func merge(_ o: LoadSample) {
        latencies += o.latencies
        failed += o.failed
    }

    /// The latency at percentile `p` (0...100) through HdrHistogram (3 significant digits).
    func percentile(_ p: Double) -> UInt64? {
        guard !latencies.isEmpty else { return nil }
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 3_600_000_000_000,
                                  numberOfSignificantValueDigits: .three)
        for l in latencies { _ = h.record(max(l, 1_000)) }
        return h.valueAtPercentile(p)
    }

    /// p50, p99, max.
    var figures: [String] {
        guard let p50 = percentile(50), let p99 = percentile(99) else { return ["-", "-", "-"] }
        return [ms(p50), ms(p99), ms(latencies.max()!)]
    }
}

/// The two loads every system gets: one client doing sequential puts, and N clients doing puts
/// concurrently for a while.
enum PutLoad {
    /// `ops` sequential puts through `target`, after 20 warm-up puts. Returns the sample and the wall time.
    static func sequential(_ target: any PutTarget, ops: Int, valueSize: Int) -> (LoadSample, Duration) {
        for i in 0..<20 { _ = target.put(key: "warm\(i)", value: value(i, valueSize)) }
        var sample = LoadSample()
        let start = ContinuousClock.now
        for i in 0..<ops {
            let t0 = ContinuousClock.now
            if target.put(key: "s\(i % 64)", value: value(i, valueSize)) {
                sample.record(ns(ContinuousClock.now - t0))
            } else {
                sample.failed += 1
            }
        }
        return (sample, ContinuousClock.now - start)
    }

    /// One thread per target doing puts until `duration` has passed (each target warmed up first).
    static func concurrent(_ targets: [any PutTarget], for duration: Duration, valueSize: Int) -> (LoadSample, Duration) {
        for (i, t) in targets.enumerated() { _ = t.put(key: "warm-c\(i)", value: value(i, valueSize)) }
        let results = SampleBox(count: targets.count)
        let group = DispatchGroup()
        let start = ContinuousClock.now
        let deadline = start + duration
        for (i, target) in targets.enumerated() {
            group.enter()
            let thread = Thread {
                var s = LoadSample()
                var n = 0
                while ContinuousClock.now < deadline {
                    n += 1
                    let t0 = ContinuousClock.now
                    if target.put(key: "k\(i)-\(n % 16)", value: value(n, valueSize)) {
                        s.record(ns(ContinuousClock.now - t0))
                    } else {
                        s.failed += 1
                    }
                }
                results.set(i, s)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let wall = ContinuousClock.now - start
        var all = LoadSample()
        for s in results.all() { all.merge(s) }
        return (all, wall)
    }

    /// A value of `size` bytes unique to `i`.
    static func value(_ i: Int, _ size: Int) -> String {
        let s = "v\(i)-"
        return s + String(repeating: "x", count: max(0, size - s.utf8.count))
    }
}

/// Per-thread samples, gathered under a lock.
private final class SampleBox: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [LoadSample]
    init(count: Int) { samples = Array(repeating: LoadSample(), count: count) }
    func set(_ i: Int, _ s: LoadSample) {
        lock.lock()
        samples[i] = s
        lock.unlock()
    }
    func all() -> [LoadSample] {
        lock.lock()
        defer { lock.unlock() }
        return samples
    }
}

/// Whole nanoseconds of `d`.
func ns(_ d: Duration) -> UInt64 {
    let c = d.components
    return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds / 1_000_000_000))
}

/// `1.23ms`, `45.6ms`.
func ms(_ ns: UInt64) -> String {
    let v = Double(ns) / 1e6
    return v < 10 ? String(format: "%.2fms", v) : String(format: "%.1fms", v)
}

/// Operations per second.
func rate(_ count: Int, _ d: Duration) -> String {
    let s = Double(ns(d)) / 1e9
    return s > 0 ? String(format: "%.0f", Double(count) / s) : "-"
}

/// Left-aligned columns.
func table(_ rows: [[String]]) -> String {
    var widths = Array(repeating: 0, count: rows[0].count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
        r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) }
            .joined()
    }.joined(separator: "\n")
}
