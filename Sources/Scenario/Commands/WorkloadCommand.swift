import ClusterModel

/// `workload start clients N [requests N] [ratio R | ops OP[:W],...] [keys N] [rate N/s] [value-size B]`
/// (clients run in the background while later lines run) and `workload stop`.
public struct WorkloadCommand: ScenarioCommand {
    /// The two forms.
    public enum Action: Sendable, Hashable {
        /// `workload start ...`.
        case start(WorkloadConfig)
        /// `workload stop`.
        case stop
    }

    /// The rows of `workload start` and `workload stop`.
    public static let specs = [
        CommandSpec(
            name: "workload start",
            synopsis: "workload start clients N [requests N] [ratio R | ops OP[:WEIGHT],...] [keys N] [rate N/s] [value-size B]",
            summary: "Start N clients in the background: N requests in all (default 500), R = share of gets 0..1 (0.8) or a mix of get, put, cas, append, delete with weights (ops get:6,put:2,cas:1,append:1; no weight is 1), K keys (16), at most N/s started across all clients, B-byte values (8); later lines run while they do.",
            example: "workload start clients 8 requests 500 ratio 0.8 keys 16 rate 100/s",
            keywords: ["clients", "requests", "ratio", "ops", "keys", "rate", "value-size"],
            category: .workload),
        CommandSpec(
            name: "workload stop",
            synopsis: "workload stop",
            summary: "Stop the background clients.",
            example: "workload stop",
            category: .workload),
    ]

    /// Which form, with its settings.
    public var action: Action

    /// A `workload` line.
    public init(_ action: Action) {
        self.action = action
    }

    /// Reads `start` and its options (`clients` is required), or `stop`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        let words = CommandTable.workloadWords
        let token = try p.require("'start' or 'stop'")
        guard case .word(let word) = token.kind, words.contains(word) else {
            let hint = if case .word(let word) = token.kind { Suggestions.hint(for: word, among: words) } else { "" }
            throw p.failure("unknown workload command \(LineParser.describe(token))" + hint, at: token.location, expected: p.synopsis)
        }
        p.use(spec: "workload \(word)")
        if word == "stop" {
            action = .stop
            return
        }
        var config = WorkloadConfig(clients: 0)
        var seen: Set<String> = []
        let options = ["clients", "requests", "ratio", "ops", "keys", "rate", "value-size"]
        while let word = try p.nextOption(options, of: "workload", seen: &seen) {
            switch word {
            case "clients": config.clients = try p.parseInteger("the number of clients", in: 1...10_000)
            case "requests": config.requests = try p.parseInteger("the number of requests", in: 1...1_000_000_000)
            case "ratio": config.ratio = try p.parseNumber("the get ratio", in: 0...1)
            case "keys": config.keys = try p.parseInteger("the number of keys", in: 1...1_000_000_000)
            case "value-size": config.valueSize = try p.parseInteger("the value size in bytes", in: 1...16_384)
            case "ops": config.mix = try p.parseMix()
            default: config.rate = try p.parseRate()
            }
        }
        try p.finishLine()
        if seen.contains("ratio") && seen.contains("ops") {
            throw p.failure("give either 'ratio' (gets and puts) or 'ops' (a mix), not both", at: p.tokens[0].location,
                            expected: p.synopsis)
        }
        guard seen.contains("clients") else {
            throw p.failure("missing 'clients N' for 'workload start'", at: p.missingLocation, expected: p.synopsis)
        }
        action = .start(config)
    }

    /// `workload start clients N ...` with the options given, or `workload stop`.
    public var sourceText: String {
        switch action {
        case .start(let config): config.sourceText
        case .stop: "workload stop"
        }
    }

    /// Starts the clients (the executor's defaults fill what the line leaves out), or stops them.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.cluster()
        switch action {
        case .start(let w):
            var spec = WorkloadSpec(clients: w.clients)
            if let r = w.requests { spec.requests = r }
            if let r = w.ratio { spec.readRatio = r }
            if let k = w.keys { spec.keys = k }
            spec.rate = w.rate
            if let b = w.valueSize { spec.valueSize = b }
            spec.mix = w.mix?.map { WorkloadMixEntry($0.operation, share: $0.weight) }
            try c.startWorkload(spec)
            let mix = w.mix.map { "ops " + $0.map(\.sourceText).joined(separator: ",") } ?? "ratio \(spec.readRatio)"
            x.output("workload started: \(spec.clients) clients, \(spec.requests) requests, \(mix), \(spec.keys) keys" + x.stamp())
        case .stop:
            guard c.workload != nil else { throw x.failure("no workload is running") }
            c.stopWorkload()
            x.output("workload stopped" + x.stamp())
        }
    }
}

extension LineParser {
    /// `OP[:WEIGHT],...` with OP one of get, put, cas, append, delete, each at most once.
    fileprivate mutating func parseMix() throws(ParseError) -> [WorkloadMixItem] {
        let names = WorkloadOperation.allCases.map(\.rawValue)
        let expected = "operations with optional weights such as get:6,put:2,cas:1,append:1"
        var items: [WorkloadMixItem] = []
        repeat {
            let token = try require("an operation after 'ops'", expected: expected)
            guard case .word(let word) = token.kind else {
                throw failure("expected an operation, found \(Self.describe(token))", at: token.location, expected: expected)
            }
            let parts = word.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let op = WorkloadOperation(rawValue: String(parts[0])) else {
                throw failure("unknown operation '\(parts[0])'" + Suggestions.hint(for: String(parts[0]), among: names),
                              at: token.location, expected: expected)
            }
            var weight = 1.0
            if parts.count == 2 {
                guard let w = Literals.parseNumber(String(parts[1])), w > 0, w.isFinite else {
                    throw failure("the weight of \(op.rawValue) must be a number above 0, not '\(parts[1])'", at: token.location,
                                  expected: expected)
                }
                weight = w
            }
            guard !items.contains(where: { $0.operation == op }) else {
                throw failure("'\(op.rawValue)' given twice", at: token.location, expected: expected)
            }
            items.append(WorkloadMixItem(operation: op, weight: weight))
        } while accept(.comma)
        return items
    }

    /// A rate such as `100/s` (or a bare number), greater than 0.
    fileprivate mutating func parseRate() throws(ParseError) -> Double {
        let expected = "a rate such as 100/s"
        let token = try require("the rate", expected: expected)
        let value: Double
        switch token.kind {
        case .integer(let n): value = Double(n)
        case .decimal(let d): value = d
        case .word(let text) where text.hasSuffix("/s") && Literals.parseNumber(String(text.dropLast(2))) != nil:
            value = Literals.parseNumber(String(text.dropLast(2)))!
        case let kind where kind.isPlainValue:
            throw failure("malformed rate '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected the rate, found \(Self.describe(token))", at: token.location, expected: expected)
        }
        guard value > 0 else {
            throw failure("the rate must be greater than 0", at: token.location, expected: expected)
        }
        return value
    }
}
