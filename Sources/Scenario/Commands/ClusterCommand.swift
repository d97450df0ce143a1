import RaftCore
import Sim

/// `cluster N [seed N] [election D..D] [heartbeat D] [latency D..D] [udp [netns] [background-writes] | exec "CMD"] [bug NAME]`:
/// a fresh cluster (the variables of `let` are forgotten: a `$NAME` bound above a `cluster` line is
/// a parse error below it). `bug NAME` switches on one known Raft mistake in a simulated cluster
/// (`KnownBug`); it is a parse error with `udp` or `exec`.
public struct ClusterCommand: ScenarioCommand {
    /// The row of `cluster`.
    public static let specs = [
        CommandSpec(
            name: "cluster",
            synopsis: "cluster N [seed N] [election DURATION..DURATION] [heartbeat DURATION] [latency DURATION..DURATION] [disk DURATION..DURATION] [snapshot-every N] [udp [netns] [background-writes] | exec \"CMD\"] [bug NAME]",
            summary: "Start a fresh cluster of N nodes (ids 1..N, N at most " + String(Parser.maxNodes) + "): simulated and seeded; N local raftd processes with udp (with netns: each in its own network namespace, faults made by the kernel, needs root; with background-writes: every raftd runs with --background-writes, a leader's log writes on a writer thread); or N processes of CMD speaking Maelstrom's protocol with exec (raftsh is their network and their clients). With disk (simulated only), each node writes its log in the background as raftd does, one batch at a time, each write taking a time drawn from the range: a leader sends its appends while its own write runs, and a crash loses the write in progress (default: every write is done at once). With snapshot-every, each node takes a snapshot of its state and compacts its log every N applied entries (simulated: never by default; udp: raftd's default, 10000). Variables bound above it are forgotten. Defaults: election " + Literals.formatDurationRange(SimConfig().electionTimeout) + ", heartbeat " + Literals.formatDuration(SimConfig().heartbeat) + ", latency " + Literals.formatDurationRange(SimConfig().latency) + " (simulated), seed from the runner (raftsh run: 1 or --seed; the shell: 42 or --seed). bug NAME (simulated only) switches on one classic Raft mistake: \(KnownBug.allCases.map(\.name).joined(separator: ", ")).",
            example: "cluster 5 seed 42 election 150ms..300ms heartbeat 50ms latency 1ms..5ms",
            keywords: ["seed", "election", "heartbeat", "latency", "disk", "snapshot-every", "udp", "netns", "background-writes", "exec", "bug"] + KnownBug.allCases.map(\.name),
            category: .cluster),
    ]

    /// The settings written on the line.
    public var config: ClusterConfig

    /// A `cluster` line with these settings.
    public init(config: ClusterConfig) {
        self.config = config
    }

    /// Reads `N` and the options; later lines check node ids against `N`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        var config = ClusterConfig(nodes: try p.parseInteger("the number of nodes", in: 1...Parser.maxNodes))
        var seen: Set<String> = []
        var netnsLocation: SourceLocation?
        var bugLocation: SourceLocation?
        var diskLocation: SourceLocation?
        var writesLocation: SourceLocation?
        let options = ["seed", "election", "heartbeat", "latency", "disk", "snapshot-every", "udp", "netns", "background-writes", "exec", "bug"]
        while let word = try p.nextOption(options, of: "cluster", seen: &seen) {
            switch word {
            case "seed": config.seed = try p.parseSeed()
            case "election": config.election = try p.parseDurationRange("the election timeout", positive: true)
            case "heartbeat": config.heartbeat = try p.parseDuration("the heartbeat interval", positive: true)
            case "latency": config.latency = try p.parseDurationRange("the latency")
            case "disk":
                diskLocation = p.tokens[p.position - 1].location
                config.disk = try p.parseDurationRange("the disk write time")
            case "snapshot-every":
                config.snapshotEvery = UInt64(try p.parseInteger("the entries between snapshots", in: 1...1_000_000_000))
            case "bug":
                bugLocation = p.tokens[p.position - 1].location
                config.bug = try p.parseKnownBug()
            case "netns":
                netnsLocation = p.tokens[p.position - 1].location
                config.netns = true
            case "background-writes":
                writesLocation = p.tokens[p.position - 1].location
                config.backgroundWrites = true
            case "exec":
                let token = try p.require("the command after 'exec'", expected: "a quoted command such as \"python3 node.py\"")
                guard case .string(let command) = token.kind, !command.isEmpty else {
                    throw p.failure("expected the node command in quotes, found \(LineParser.describe(token))", at: token.location,
                                    expected: "a quoted command such as \"python3 node.py\"")
                }
                config.command = command
                config.transport = .exec
            default: config.transport = .udp
            }
        }
        if config.command != nil && config.snapshotEvery != nil {
            throw p.failure("snapshot-every is for simulated and udp clusters (exec nodes snapshot as they like)",
                            at: p.tokens[0].location, expected: "no snapshot-every with exec")
        }
        if config.command != nil && (seen.contains("udp") || config.netns) {
            throw p.failure("a cluster is either udp or exec, not both", at: p.tokens[0].location, expected: "udp or exec")
        }
        if let netnsLocation, config.transport != .udp {
            throw p.failure("'netns' runs udp nodes in network namespaces: write 'udp netns'", at: netnsLocation,
                            expected: "'udp'")
        }
        if let writesLocation, config.transport != .udp {
            let why = config.transport == .simulated
                ? "simulated nodes write in the background with 'disk D..D'"
                : "exec nodes write as their command does"
            throw p.failure("'background-writes' runs raftd's writer thread: write 'udp background-writes' (\(why))",
                            at: writesLocation, expected: "'udp'")
        }
        if let diskLocation, config.transport != .simulated {
            throw p.failure("disk sets the write time of simulated disks; '\(config.transport == .udp ? "udp" : "exec")' nodes write to this machine's disk",
                            at: diskLocation, expected: "either 'disk D..D' or '\(config.transport == .udp ? "udp" : "exec")'")
        }
        if let bugLocation, config.transport != .simulated {
            throw p.failure("known-bug switches exist in simulated clusters only, not with '\(config.transport == .udp ? "udp" : "exec")'",
                            at: bugLocation, expected: "either 'bug NAME' or '\(config.transport == .udp ? "udp" : "exec")'")
        }
        p.nodeCount = config.nodes
        // A fresh cluster forgets the variables of `let`: later lines cannot use them.
        for name in p.variables { p.forgottenVariables[name] = p.tokens.first?.location.line }
        p.variables = []
        self.config = config
    }

    /// `cluster N` and the options given, in a fixed order.
    public var sourceText: String { config.sourceText }

    /// Makes the cluster (the seed on the command line wins over the line's) and prints its summary.
    public func execute(in x: ExecutionContext) throws {
        let executor = x.executor
        let seed = x.options.seedOverride ?? config.seed ?? x.options.seed
        let c = try executor.makeCluster(config, seed, x.options)
        executor.cluster = c
        executor.variables = [:]
        c.interruptCheck = executor.interruptCheck
        if executor.traceOn { c.trace = executor.output }
        x.output(c.summary)
    }
}

extension LineParser {
    /// The name of a known bug (`commit-old-term`, ...).
    fileprivate mutating func parseKnownBug() throws(ParseError) -> KnownBug {
        let names = KnownBug.allCases.map(\.name)
        let expected = "a known bug: " + names.joined(separator: ", ")
        let token = try require("the bug's name", expected: expected)
        if case .word(let word) = token.kind, let bug = KnownBug(rawValue: word) { return bug }
        let hint = if case .word(let word) = token.kind { Suggestions.hint(for: word, among: names) } else { "" }
        throw failure("unknown bug \(Self.describe(token))" + hint, at: token.location, expected: expected)
    }

    /// A seed: an integer from 0 to `UInt64.max`.
    fileprivate mutating func parseSeed() throws(ParseError) -> UInt64 {
        let expected = "an integer from 0 to \(UInt64.max)"
        let token = try require("the seed", expected: expected)
        switch token.kind {
        case .integer(let value) where value >= 0:
            return UInt64(value)
        case .integer:
            throw failure("the seed must not be negative", at: token.location, expected: expected)
        case .word(let text):
            if let value = UInt64(text), text.unicodeScalars.allSatisfy(Literals.isDigit) { return value }
            throw failure("malformed number '\(text)' for the seed", at: token.location, expected: expected)
        case .decimal, .duration, .percent, .integerRange, .durationRange:
            throw failure("malformed number '\(token.text)' for the seed", at: token.location, expected: expected)
        default:
            throw failure("expected the seed, found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }
}
