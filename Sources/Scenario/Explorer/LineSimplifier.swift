import RaftCore

/// Simpler versions of one scenario line, simplest first, for the shrinker's pass over numbers:
/// fewer nodes and default timings on a `cluster` line, shorter waits, smaller workloads, milder
/// loss, duplication and delay.
enum LineSimplifier {
    /// The variants of `line` in the scenario `lines` (an empty list when there is nothing to try).
    static func variants(of line: String, in lines: [String]) -> [String] {
        let words = line.split(separator: " ").map(String.init)
        guard let first = words.first else { return [] }
        switch first {
        case "cluster": return cluster(line, lines)
        case "wait" where words.count == 2: return durations(words[1]).map { "wait " + $0 }
        case "workload" where words.count > 2 && words[1] == "start": return workload(line)
        case "drop", "duplicate":
            guard words.count >= 2, words[1].hasSuffix("%"), let p = Int(words[1].dropLast()), p > 1 else { return [] }
            let rest = words.dropFirst(2).joined(separator: " ")
            return [p / 4, p / 2].filter { $0 >= 1 && $0 < p }.map { "\(first) \($0)%" + (rest.isEmpty ? "" : " " + rest) }
        default: return []
        }
    }

    /// Shorter durations than `text`, shortest first (10ms at least).
    static func durations(_ text: String) -> [String] {
        guard let ns = Literals.parseDuration(text), ns > 10_000_000 else { return [] }
        var out: [UInt64] = []
        var d = ns / 2
        while d >= 10_000_000 && out.count < 4 {
            out.append(roundDuration(d))
            d /= 2
        }
        return Array(Set(out)).filter { $0 < ns }.sorted().map(Literals.formatDuration)
    }

    /// `d` rounded down to a whole unit people write: 10ms steps below 1s, 100ms steps above.
    static func roundDuration(_ d: UInt64) -> UInt64 {
        let step: UInt64 = d >= 1_000_000_000 ? 100_000_000 : 10_000_000
        return max(d / step * step, 10_000_000)
    }

    /// Fewer nodes (a candidate naming a node past its size does not parse, and costs no run), then
    /// each timing option left to its default.
    static func cluster(_ line: String, _ lines: [String]) -> [String] {
        guard let script = try? Parser.parse(line, file: "<shrink>"),
              let command = script.statements.first?.command as? ClusterCommand else { return [] }
        let config = command.config
        var out: [String] = []
        for n in 1..<max(config.nodes, 1) {
            var c = config
            c.nodes = n
            out.append(c.sourceText)
        }
        if config.election != nil { var c = config; c.election = nil; out.append(c.sourceText) }
        if config.heartbeat != nil { var c = config; c.heartbeat = nil; out.append(c.sourceText) }
        if config.latency != nil { var c = config; c.latency = nil; out.append(c.sourceText) }
        if config.disk != nil { var c = config; c.disk = nil; out.append(c.sourceText) }
        return out
    }

    /// Fewer clients, fewer requests, fewer keys.
    static func workload(_ line: String) -> [String] {
        guard let script = try? Parser.parse(line, file: "<shrink>"),
              let command = script.statements.first?.command as? WorkloadCommand,
              case .start(let config) = command.action else { return [] }
        var out: [String] = []
        if config.clients > 1 {
            for c in Set([1, config.clients / 2]).sorted() where c < config.clients {
                var w = config
                w.clients = c
                out.append(w.sourceText)
            }
        }
        if let r = config.requests, r > 1 {
            for n in Set([1, r / 8, r / 4, r / 2]).sorted() where n >= 1 && n < r {
                var w = config
                w.requests = n
                out.append(w.sourceText)
            }
        }
        if let k = config.keys, k > 1 { var w = config; w.keys = 1; out.append(w.sourceText) }
        return out
    }
}
