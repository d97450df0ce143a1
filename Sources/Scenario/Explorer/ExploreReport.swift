import Foundation

/// What an exploration found, as `summary.json` stores it and `raftsh explore --merge` combines it:
/// the seeds run, every failing seed with the kind of its failure, and the findings shrunk.
public struct ExploreReport: Sendable, Codable, Equatable {
    /// One failing seed.
    public struct Failure: Sendable, Codable, Equatable {
        public var seed: UInt64
        public var kind: String
        /// The failure's first line.
        public var message: String
        /// The generated scenario's length in lines.
        public var lines: Int
        public init(seed: UInt64, kind: String, message: String, lines: Int) {
            self.seed = seed
            self.kind = kind
            self.message = message
            self.lines = lines
        }
    }

    /// One shrunk finding.
    public struct Shrunk: Sendable, Codable, Equatable {
        public var seed: UInt64
        public var kind: String
        /// Lines before and after shrinking.
        public var generatedLines: Int
        public var shrunkLines: Int
        /// Candidate runs the shrinking took.
        public var runs: Int
        /// Whether the shrunk scenario, run again, fails with the same kind.
        public var reproduces: Bool
        /// Files written (names within the output folder), if any.
        public var files: [String]
        public init(seed: UInt64, kind: String, generatedLines: Int, shrunkLines: Int, runs: Int, reproduces: Bool,
                    files: [String]) {
            self.seed = seed
            self.kind = kind
            self.generatedLines = generatedLines
            self.shrunkLines = shrunkLines
            self.runs = runs
            self.reproduces = reproduces
            self.files = files
        }
    }

    /// The seed range asked for and this run's slice of it (`0/1` when not sharded).
    public var firstSeed: UInt64
    public var lastSeed: UInt64
    public var shard: String
    /// Seeds run, and the highest one run (nil if none).
    public var seedsRun: Int
    public var highestSeedRun: UInt64?
    /// Wall time of the search (without shrinking) and of everything, in seconds.
    public var searchSeconds: Double
    public var wallSeconds: Double
    public var jobs: Int
    /// What was drawn: cluster sizes, fault families, the known bug.
    public var nodes: [Int]
    public var faults: [String]
    public var bug: String?
    /// Every failing seed, in seed order.
    public var failures: [Failure]
    /// The findings shrunk, in seed order.
    public var shrunk: [Shrunk]

    /// Runs per second of the search.
    public var runsPerSecond: Double { searchSeconds > 0 ? Double(seedsRun) / searchSeconds : 0 }

    /// The reports of several runs (shards of one search, or searches of other ranges) as one:
    /// seeds and times added (wall time: the longest), failures and findings merged by seed.
    public static func merged(_ reports: [ExploreReport]) -> ExploreReport {
        var m = reports.first ?? ExploreReport(firstSeed: 0, lastSeed: 0, shard: "0/1", seedsRun: 0, highestSeedRun: nil,
                                               searchSeconds: 0, wallSeconds: 0, jobs: 0, nodes: [], faults: [], bug: nil,
                                               failures: [], shrunk: [])
        for r in reports.dropFirst() {
            m.firstSeed = min(m.firstSeed, r.firstSeed)
            m.lastSeed = max(m.lastSeed, r.lastSeed)
            m.seedsRun += r.seedsRun
            m.highestSeedRun = [m.highestSeedRun, r.highestSeedRun].compactMap { $0 }.max()
            m.searchSeconds = max(m.searchSeconds, r.searchSeconds)
            m.wallSeconds = max(m.wallSeconds, r.wallSeconds)
            m.jobs += r.jobs
            m.nodes = Array(Set(m.nodes + r.nodes)).sorted()
            m.faults = Array(Set(m.faults + r.faults)).sorted()
            if m.bug != r.bug { m.bug = [m.bug, r.bug].compactMap { $0 }.joined(separator: ",") }
            m.failures += r.failures
            m.shrunk += r.shrunk
        }
        m.shard = reports.count == 1 ? m.shard : "\(reports.count) runs merged"
        var seen = Set<UInt64>()
        m.failures = m.failures.sorted { $0.seed < $1.seed }.filter { seen.insert($0.seed).inserted }
        seen = []
        m.shrunk = m.shrunk.sorted { $0.seed < $1.seed }.filter { seen.insert($0.seed).inserted }
        return m
    }

    /// The report as people read it: what was searched, how fast, every kind of failure with its
    /// seeds, and the shrunk findings.
    public func render(folder: String? = nil) -> String {
        var out: [String] = []
        let seeds = seedsRun == 0 ? "no seeds" : "seeds \(firstSeed)..\(highestSeedRun ?? lastSeed)"
        out.append("explored \(seeds) (shard \(shard)): \(seedsRun) run\(seedsRun == 1 ? "" : "s") in \(Self.formatSeconds(searchSeconds)), \(String(format: "%.1f", runsPerSecond)) runs/s, \(jobs) job\(jobs == 1 ? "" : "s")"
                   + (bug.map { ", bug \($0)" } ?? ""))
        if failures.isEmpty {
            out.append("no failures")
        } else {
            out.append("\(failures.count) failing seed\(failures.count == 1 ? "" : "s"):")
            var kinds: [String] = []
            for f in failures where !kinds.contains(f.kind) { kinds.append(f.kind) }
            for k in kinds {
                let seeds = failures.filter { $0.kind == k }.map(\.seed)
                let shown = seeds.prefix(8).map(String.init).joined(separator: ", ") + (seeds.count > 8 ? ", ..." : "")
                out.append("  \(k): \(seeds.count) (seed\(seeds.count == 1 ? "" : "s") \(shown))")
            }
        }
        for s in shrunk {
            let file = s.files.first { $0.hasSuffix(".min.scn") }.map { name in
                "  " + (folder.map { ($0 as NSString).appendingPathComponent(name) } ?? name)
            } ?? ""
            out.append("shrunk seed \(s.seed) (\(s.kind)): \(s.generatedLines) -> \(s.shrunkLines) lines in \(s.runs) runs"
                       + (s.reproduces ? "" : " (DOES NOT REPRODUCE)") + file)
        }
        return out.joined(separator: "\n")
    }

    /// `12.3s`, `2m05s`.
    public static func formatSeconds(_ s: Double) -> String {
        if s < 60 { return String(format: "%.1fs", s) }
        return "\(Int(s) / 60)m\(String(format: "%02d", Int(s) % 60))s"
    }
}
