/// Nanosecond constructors for durations and instants: `.ms(150)`, `.s(2)`.
public extension UInt64 {
    static func ns(_ v: UInt64) -> UInt64 { v }
    static func us(_ v: UInt64) -> UInt64 { v * 1_000 }
    static func ms(_ v: UInt64) -> UInt64 { v * 1_000_000 }
    static func s(_ v: UInt64) -> UInt64 { v * 1_000_000_000 }
}

/// Human-readable durations and instants: `312µs`, `4.1ms`, `241ms`, `1.5s`, `t=0.312s`.
public enum TimeFormat {
    /// A duration, e.g. `4.1ms`, `241ms`, `2.35s`.
    public static func duration(_ ns: UInt64) -> String {
        if ns < 1_000 { return "\(ns)ns" }
        if ns < 1_000_000 { return fixed(Double(ns) / 1e3, ns < 10_000 ? 1 : 0) + "µs" }
        if ns < 1_000_000_000 { return fixed(Double(ns) / 1e6, ns < 10_000_000 ? 1 : 0) + "ms" }
        return fixed(Double(ns) / 1e9, 2) + "s"
    }

    /// An instant since the start of a run, e.g. `t=0.312s`: the one way every output shows when.
    public static func instant(_ ns: UInt64) -> String {
        "t=" + seconds(ns)
    }

    /// Seconds with three decimals, truncated to the millisecond like a clock, e.g. `0.312s`.
    public static func seconds(_ ns: UInt64) -> String {
        let ms = ns / 1_000_000
        let frac = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac + "s"
    }

    /// `value` with exactly `digits` decimals, without Foundation.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        let neg = scaled < 0
        let whole = UInt64(abs(scaled))
        let divisor = UInt64(scale)
        let intPart = whole / divisor
        var s = (neg ? "-" : "") + String(intPart)
        if digits > 0 {
            var frac = String(whole % divisor)
            while frac.count < digits { frac = "0" + frac }
            s += "." + frac
        }
        return s
    }
}
