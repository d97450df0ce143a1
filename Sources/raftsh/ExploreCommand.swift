import ArgumentParser
import Foundation
import RaftCore
import Scenario

/// `raftsh explore`: search random fault schedules by seed, shrink what fails to a small scenario.
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Search random fault schedules by seed; shrink each kind of failure to a minimal scenario.",
        discussion: """
            Each seed generates a random scenario in the scenario language (cluster size and timings, a \
            background workload, random faults, client operations and waits, then heal, restart all, wait \
            until converged, and the checks: invariants after every step, expect unanswered == 0, expect \
            linearizable) by running it on the simulator. A failing seed is shrunk (over lines, then over \
            numbers) while it still fails with the same kind of violation; with --out, the generated \
            scenario, the shrunk one (with a header saying what failed) and its timeline are written there, \
            with summary.json. `raftsh run` on a shrunk scenario fails the same way. Same seeds, same \
            findings, whatever --jobs is. Exits 1 if anything failed, 0 if nothing did.

            Examples:
              raftsh explore --seeds 1..10000
              raftsh explore --bug commit-old-term --stop-after 1 --out findings/
              raftsh explore --seeds 1..1000000 --shard 3/16 --out shard-3/     (one of 16 machines)
              raftsh explore --merge shard-*/
            """
    )

    @Option(help: "Seeds to run, A..B (default 1..1000, or from 1 on with --time).")
    var seeds: String?

    @Option(help: "Run seeds for this long (e.g. 10m, 30s) instead of a whole range.")
    var time: String?

    @Option(help: "Cluster sizes to draw from, e.g. 3,5,7.")
    var nodes: String = "3,5,7"

    @Option(help: "Fault families to draw from: \(ExploreFault.allCases.map(\.rawValue).joined(separator: ",")) (default all).")
    var faults: String?

    @Option(help: "Switch on one known Raft bug in every simulated cluster: \(KnownBug.allCases.map(\.name).joined(separator: ", ")).")
    var bug: String?

    @Option(help: "Write the findings (generated and shrunk scenarios, timelines) and summary.json here.")
    var out: String?

    @Option(help: "Runs at once (default: the number of cores).")
    var jobs: Int?

    @Option(help: "Run the K-th of N disjoint slices of the seeds (K from 0 to N-1), e.g. 3/16.")
    var shard: String?

    @Option(name: .customLong("stop-after"), help: "Stop after this many failing seeds (the lowest ones, whatever --jobs is).")
    var stopAfter: Int?

    @Option(help: "Shrink at most this many findings (the lowest seed of each kind of failure).")
    var shrink: Int = 3

    @Option(name: .customLong("merge"), parsing: .upToNextOption,
            help: "Combine the summary.json of these output folders into one report (runs nothing).")
    var merge: [String] = []

    @Flag(help: "No progress line.")
    var quiet = false

    @Flag(name: .customLong("print"), help: "Print each seed's generated scenario and how it ended, and search nothing (for a few seeds).")
    var printScenarios = false

    func validate() throws {
        if !merge.isEmpty && (seeds != nil || time != nil || bug != nil || shard != nil || out != nil) {
            throw ValidationError("--merge runs nothing: give it only folders")
        }
        if seeds != nil && time != nil { throw ValidationError("give --seeds or --time, not both") }
    }

    func run() throws {
        if !merge.isEmpty { return try runMerge() }
        var o = ExploreOptions()
        o.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        if let seeds {
            let parts = seeds.components(separatedBy: "..")
            guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b else {
                throw ValidationError("--seeds takes a range A..B with A <= B, e.g. 1..10000 (got '\(seeds)')")
            }
            o.seeds = a...b
        } else if time != nil {
            o.seeds = 1...UInt64.max
        }
        if let time {
            guard let ns = Literals.parseDuration(time), ns > 0 else {
                throw ValidationError("--time takes a duration such as 10m or 30s (got '\(time)')")
            }
            o.timeLimit = Double(ns) / 1e9
        }
        var settings = GeneratorSettings()
        let sizes = nodes.split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, sizes.count == nodes.split(separator: ",").count, sizes.allSatisfy({ (1...64).contains($0) }) else {
            throw ValidationError("--nodes takes cluster sizes from 1 to 64, e.g. 3,5,7 (got '\(nodes)')")
        }
        settings.nodes = sizes
        if let faults {
            var set = Set<ExploreFault>()
            for name in faults.split(separator: ",") {
                guard let f = ExploreFault(rawValue: String(name)) else {
                    throw ValidationError("unknown fault '\(name)'; faults: \(ExploreFault.allCases.map(\.rawValue).joined(separator: ","))")
                }
                set.insert(f)
            }
            settings.faults = set
        }
        if let bug {
            guard let b = KnownBug(rawValue: bug) else {
                throw ValidationError("unknown bug '\(bug)'; bugs: \(KnownBug.allCases.map(\.name).joined(separator: ", "))")
            }
            settings.bug = b
        }
        o.settings = settings
        if let shard {
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 0, k < n else {
                throw ValidationError("--shard takes K/N with 0 <= K < N, e.g. 3/16 (got '\(shard)')")
            }
            o.shard = (k, n)
        }
        if let stopAfter {
            guard stopAfter >= 1 else { throw ValidationError("--stop-after takes a number of failures, 1 or more") }
            o.stopAfter = stopAfter
        }
        o.shrinkLimit = max(0, shrink)

        if printScenarios { return printGenerated(o) }
        let explorer = Explorer(options: o)
        let box = ReportBox()
        let finished = DispatchSemaphore(value: 0)
        let folder = out
        let tty = isatty(STDERR_FILENO) == 1 && !quiet
        let total: Int? = o.timeLimit == nil ? Self.count(o) : nil
        Thread.detachNewThread {
            box.set(Result { try explorer.run(folder: folder) { line in
                if tty { FileHandle.standardError.write(("\r\u{1B}[K" + line + "\n").data(using: .utf8)!) }
            } })
            finished.signal()
        }
        while finished.wait(timeout: .now() + .milliseconds(500)) == .timedOut {
            guard tty else { continue }
            let p = explorer.progress
            var line = "\r\u{1B}[K  \(p.done)\(total.map { "/\($0)" } ?? "") seeds"
            let rate = p.elapsed > 0 ? Double(p.done) / p.elapsed : 0
            line += String(format: "  %.1f runs/s", rate)
            line += "  \(p.failures) failing"
            if let total, rate > 0, p.done < total {
                line += "  about \(ExploreReport.formatSeconds(Double(total - p.done) / rate)) left"
            } else if let limit = o.timeLimit {
                line += "  \(ExploreReport.formatSeconds(max(0, limit - p.elapsed))) left"
            } else if let total, p.done >= total {
                line += "  shrinking"
            }
            FileHandle.standardError.write(line.data(using: .utf8)!)
        }
        if tty { FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!) }
        let report = try box.get()
        print(report.render(folder: out))
        if !report.failures.isEmpty { throw ExitCode(1) }
    }

    /// `--print`: the scenarios of the seeds, one after the other.
    private func printGenerated(_ o: ExploreOptions) {
        let generator = ScenarioGenerator(settings: o.settings)
        var i: UInt64 = 0
        while let seed = o.seed(at: i), i < 1000 {
            i += 1
            let r = generator.run(seed: seed)
            print("# seed \(seed): \(r.lines.count) lines, \(r.steps) steps, virtual \(String(format: "%.3f", Double(r.virtualTime) / 1e9))s, "
                  + (r.kind.map { "FAILED: \($0.name)" } ?? "passed"))
            print(r.text)
        }
    }

    /// The number of seeds in this shard's slice of the range.
    static func count(_ o: ExploreOptions) -> Int? {
        let width = o.seeds.upperBound - o.seeds.lowerBound
        guard width < UInt64(Int.max) else { return nil }
        let n = UInt64(o.shard.count), k = UInt64(o.shard.index)
        return k > width ? 0 : Int((width - k) / n + 1)
    }

    private func runMerge() throws {
        var reports: [ExploreReport] = []
        for dir in merge {
            let path = (dir as NSString).appendingPathComponent("summary.json")
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write("raftsh explore: no summary.json in \(dir)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            do {
                reports.append(try JSONDecoder().decode(ExploreReport.self, from: data))
            } catch {
                FileHandle.standardError.write("raftsh explore: \(path) is not an explore summary: \(error)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
        }
        let merged = ExploreReport.merged(reports)
        print(merged.render())
        if !merged.failures.isEmpty { throw ExitCode(1) }
    }
}

/// Hands the report from the exploring thread to the main one.
private final class ReportBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<ExploreReport, Error>?
    func set(_ r: Result<ExploreReport, Error>) { lock.withLock { result = r } }
    func get() throws -> ExploreReport { try lock.withLock { result! }.get() }
}
