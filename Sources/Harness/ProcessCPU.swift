import Foundation

/// CPU time used so far by a set of processes, read from `/proc/PID/stat` (user and system time
/// of every thread, in clock ticks): what `bench udp` divides by the puts of a run to report the
/// nodes' CPU per put, a figure that moves far less than wall-clock rates when the host is busy.
public enum ProcessCPU {
    /// Seconds of CPU used by `pids` so far; nil if any of them cannot be read (gone, or no /proc).
    public static func seconds(of pids: [pid_t]) -> Double? {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0 else { return nil }
        var total = 0.0
        for pid in pids {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let used = ticksUsed(stat: text) else { return nil }
            total += Double(used) / ticks
        }
        return total
    }

    /// utime + stime from the text of `/proc/PID/stat`: fields 14 and 15, counted after the
    /// command name in parentheses (which may itself hold spaces and parentheses).
    public static func ticksUsed(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (the state), so field k is fields[k - 3].
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return user + system
    }

    /// Seconds of CPU per put between two readings (nil if unknown).
    public static func secondsPerPut(from before: Double?, to after: Double?, puts: Int) -> Double? {
        guard let before, let after, puts > 0, after >= before else { return nil }
        return (after - before) / Double(puts)
    }

    /// Microseconds of CPU per put between two readings, as table text ("-" if unknown).
    public static func perPut(from before: Double?, to after: Double?, puts: Int) -> String {
        guard let s = secondsPerPut(from: before, to: after, puts: puts) else { return "-" }
        return "\(Int((s * 1e6).rounded()))us"
    }
}
