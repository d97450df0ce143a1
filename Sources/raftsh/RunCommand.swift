import ArgumentParser
import Foundation
import Scenario
import Sim
import Check
import ClusterModel
import Harness
import Node

/// `raftsh run PATH…`: run scenario files; exit 1 if an expectation failed, 2 on a parse error.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenario files (folders are searched for *.scn).",
        discussion: """
            Prints one PASS/FAIL line per scenario and seed, then `N passed, N failed`. \
            Exits 0 if all passed, 1 if an expectation failed, 2 on a parse error. \
            Wall times are shown on a terminal only, so piped output is identical for identical runs. \
            A file with an `# expect-failure: KIND` header (the known-bug scenarios of scenarios/bugs/) \
            passes when it fails with that kind (printed XFAIL), and runs once with its own seed.
            """
    )

    @Argument(help: "Scenario files or folders.")
    var paths: [String]

    @Option(help: "Run every scenario with this seed (overrides `cluster … seed N`).")
    var seed: UInt64?

    @Option(help: "Run every scenario under each seed of this range, e.g. 1..20.")
    var seeds: String?

    @Option(help: "Write a JUnit XML report to this file.")
    var junit: String?

    @Option(help: ArgumentHelp("Write each scenario's client history to this folder in Jepsen's EDN form (FILE.edn, or FILE-seed-N.edn with --seeds), for Knossos, Elle or `raftsh check`.",
                               valueName: "DIR"))
    var history: String?

    @Flag(help: "Print every message and state change, and every line's answer.")
    var trace = false

    @Flag(help: "Print every line's answer (without it, only what report, status, log, history, faults and echo print).")
    var verbose = false

    @Flag(help: "Print only failures and the summary (not even what report, status, log, history, faults and echo print).")
    var quiet = false

    @Flag(help: ArgumentHelp("Run on local raftd processes over UDP: only scenarios whose `# modes:` header lists udp (the others are skipped); every `cluster` line becomes UDP.",
                             discussion: "A `cluster N udp` line uses raftd processes in any mode. Every process is killed when its scenario ends, fails, or raftsh is interrupted."))
    var udp = false

    @Flag(help: ArgumentHelp("Like --udp, with each raftd in a network namespace of its own and faults made by the kernel (nftables, tc netem); needs root, ip, nft and tc.",
                             discussion: "Every namespace, rule and folder is removed when the scenario ends, on failure, on signals, and (stale ones) at the next start."))
    var netns = false

    @Option(help: ArgumentHelp("Run on processes of this command speaking Maelstrom's protocol (e.g. \"raftd --maelstrom\"): only scenarios whose `# modes:` header lists exec; every `cluster` line becomes exec.",
                               valueName: "CMD"))
    var exec: String?

    @Flag(name: .customLong("no-fsync"), help: "UDP nodes do not sync their logs (faster, not crash-safe).")
    var noFsync = false

    @Flag(name: .customLong("background-writes"),
          help: "UDP nodes run with raftd --background-writes: a leader's log writes on a writer thread (with --udp or --netns).")
    var backgroundWrites = false

    @Option(name: .customLong("snapshot-every"),
            help: "Every cluster's nodes take a snapshot every N applied entries (overrides `cluster … snapshot-every N`).")
    var snapshotEvery: UInt64?

    @Option(help: ArgumentHelp("Every simulated cluster's nodes write in the background as raftd does, each write taking a time in this range, e.g. 1ms..5ms (overrides `cluster … disk`).",
                               valueName: "DURATION..DURATION"))
    var disk: String?

    @Option(help: ArgumentHelp("Write the run's timeline as one self-contained HTML file (with several runs, one file each: NAME-SCENARIO-seedN.html).",
                               valueName: "FILE.html"))
    var timeline: String?

    @Flag(help: "Record messages for --timeline (arrows the page shows on demand).")
    var messages = false

    func seedList() throws -> [UInt64?] {
        if let seeds {
            let parts = seeds.split(separator: ".", omittingEmptySubsequences: true)
            guard seeds.contains(".."), parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b else {
                throw ValidationError("--seeds takes a range A..B with A <= B, e.g. 1..20 (got '\(seeds)')")
            }
            return (a...b).map { Optional($0) }
        }
        return [seed]
    }

    func run() throws {
        let seedValues = try seedList()
        let files: [String]
        do { files = try ScenarioRunner.collect(paths) } catch {
            FileHandle.standardError.write("raftsh run: \(error)\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        if files.isEmpty {
            FileHandle.standardError.write("raftsh run: no .scn files in \(paths.joined(separator: " "))\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        var runner = ScenarioRunner()
        runner.trace = trace
        if let snapshotEvery {
            guard snapshotEvery >= 1 else { throw ValidationError("--snapshot-every must be at least 1") }
            runner.options.clusterOverride.snapshotEvery = snapshotEvery
        }
        if let disk {
            guard let range = Sweep.parseRange(disk) else {
                throw ValidationError("--disk takes a duration or a range such as 1ms..5ms, not \(disk)")
            }
            runner.options.clusterOverride.disk = range
        }
        runner.recordTimeline = timeline != nil
        runner.options.recordMessages = messages
        // Children die with us: at exit, on Ctrl-C, on SIGTERM/SIGHUP/SIGQUIT.
        ProcessSupervisor.installCleanupHandlers()
        let udp = self.udp || netns
        if netns, let why = NamespaceNetwork.unavailableReason() {
            FileHandle.standardError.write("raftsh run: --netns: \(why)\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        if exec != nil && udp { throw ValidationError("--exec runs foreign nodes, --udp/--netns raftd processes: pick one") }
        if backgroundWrites && !udp { throw ValidationError("--background-writes is a raftd option: use it with --udp or --netns") }
        let mode = exec != nil ? "exec" : udp ? "udp" : "sim"
        // How the reproduce line forces the run onto the same kind of nodes.
        let runnerFlag: String? = exec.map { "--exec \(shellQuoted($0))" }
            ?? (netns ? "--netns" : udp ? "--udp" : nil).map { backgroundWrites ? $0 + " --background-writes" : $0 }
        let factory = ClusterFactory(forceUDP: udp, forceNetns: netns, forceExec: exec, fsync: !noFsync,
                                     backgroundWrites: backgroundWrites)
        defer { factory.shutdownAll() }
        runner.makeCluster = { cfg, seed, opts in try factory.make(cfg, seed: seed, options: opts) }
        var skipped = 0
        let tty = isatty(STDOUT_FILENO) == 1
        var results: [ScenarioResult] = []
        for file in files {
            let source: String
            do { source = try FileText.read(file) } catch {
                FileHandle.standardError.write("raftsh run: \(error)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            let modes = ScenarioRunner.modes(of: source)
            if !modes.contains(mode) {
                skipped += 1
                if !quiet {
                    print("SKIP  \(file)  (not marked \(mode); modes: \(modes.sorted().joined(separator: " ")))")
                }
                continue
            }
            // A known-bug reproduction runs once, with its own seed.
            let pinned = ScenarioRunner.expectedFailure(of: source) != nil
            for s in pinned ? [nil] : seedValues {
                let r = runner.run(file: file, source: source, seed: s)
                let onUDP = factory.lastKind == .udp || factory.lastKind == .exec
                // Every raftd of this scenario ends here, passed or failed.
                factory.shutdownAll()
                results.append(r)
                if let history, let h = r.history {
                    let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                    let name = seeds != nil ? "\(base)-seed-\(r.seed).edn" : "\(base).edn"
                    do {
                        try FileManager.default.createDirectory(atPath: history, withIntermediateDirectories: true)
                        try HistoryEDN.write(h).write(toFile: (history as NSString).appendingPathComponent(name), atomically: true,
                                                      encoding: .utf8)
                    } catch {
                        FileHandle.standardError.write("raftsh run: cannot write the history to \(history): \(error.localizedDescription)\n".data(using: .utf8)!)
                        throw ExitCode(2)
                    }
                }
                if verbose || trace {
                    for line in r.output { print(line) }
                } else if !quiet {
                    // Lines written to be seen (report, status, log, history, faults, echo).
                    for line in r.shown { print(line) }
                }
                let wall = tty ? String(format: "  wall %.0fms", r.wallSeconds * 1000) : ""
                let figures = onUDP
                    ? "\(factory.lastKind!.rawValue)  \(r.statements) lines  \(r.steps) operations  real \(TimeFormat.seconds(r.clusterTime))"
                    : "seed \(r.seed)  \(r.statements) lines  \(r.steps) steps  virtual \(TimeFormat.seconds(r.clusterTime))\(wall)"
                switch r.status {
                case .passed where r.expectedFailure != nil:
                    if !quiet { print("XFAIL \(file)  \(figures)  (failed as expected: \(r.expectedFailure!.name))") }
                case .passed:
                    if !quiet { print("PASS  \(file)  \(figures)") }
                case .failed:
                    print("FAIL  \(file)  \(figures)")
                    print(indent(r.errorText ?? ""))
                    let every = snapshotEvery.map { " --snapshot-every \($0)" } ?? ""
                    print("  reproduce: " + JUnitReport.reproduceLine(r, runnerFlag: runnerFlag) + every)
                case .parseError:
                    print("ERROR \(file)")
                    print(indent(r.errorText ?? ""))
                }
                if let t = r.timeline, let timeline {
                    let several = files.count > 1 || seedValues.count > 1
                    let name = several ? Self.timelineName(timeline, file: file, seed: r.seed) : timeline
                    try TimelineHTML.render(t).write(toFile: name, atomically: true, encoding: .utf8)
                    if !quiet { print("  timeline: \(name)") }
                } else if timeline != nil && r.status != .parseError {
                    print("  no timeline: this cluster kind records none")
                }
                fflush(nil)
            }
        }
        let passed = results.filter { $0.status == .passed }.count
        // Exactly `N passed, N failed[, N skipped]`: CI parses this line.
        print("\(passed) passed, \(results.count - passed) failed" + (mode != "sim" || skipped > 0 ? ", \(skipped) skipped" : ""))
        if let junit {
            do {
                try FileText.write(JUnitReport.xml(results, reproduce: { JUnitReport.reproduceLine($0, runnerFlag: runnerFlag) }), to: junit)
            } catch {
                FileHandle.standardError.write("raftsh run: --junit: \(error)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
        }
        if results.contains(where: { $0.status == .parseError }) { throw ExitCode(2) }
        if passed != results.count { throw ExitCode(1) }
    }

    /// `out.html` for scenario `dir/s.scn` and seed 3: `out-s-seed3.html`.
    static func timelineName(_ base: String, file: String, seed: UInt64) -> String {
        let stem = base.hasSuffix(".html") ? String(base.dropLast(5)) : base
        let scenario = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        return "\(stem)-\(scenario)-seed\(seed).html"
    }

    func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}

/// `s` in single quotes for a POSIX shell when it has anything but plain characters.
func shellQuoted(_ s: String) -> String {
    let plain = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,".contains($0) }
    return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
