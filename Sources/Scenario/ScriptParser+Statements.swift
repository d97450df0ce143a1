extension ScriptParser {
    static let commandExpected = "a command such as cluster, put, get, fail, wait or expect; type 'help' for the list"

    /// Parses the current line (not `repeat` or `end`) into a statement.
    mutating func parseStatement() throws(ParseError) -> Statement {
        let first = tokens[0]
        guard case .word(let word) = first.kind else {
            throw failure("expected a command, found \(Self.describe(first))", at: first.location, expected: Self.commandExpected)
        }
        guard CommandTable.commandWords.contains(word) else {
            throw failure("unknown command '\(word)'" + Suggestions.hint(for: word, among: CommandTable.commandWords),
                          at: first.location, expected: Self.commandExpected)
        }
        begin(word)
        position = 1
        let kind: StatementKind
        switch word {
        case "cluster":
            kind = .cluster(try parseCluster())
        case "put":
            let key = try parseKey()
            let value = try parseValue()
            kind = .put(key: key, value: value, options: try parseClientOptions())
        case "get":
            let key = try parseKey()
            kind = .get(key: key, options: try parseClientOptions())
        case "delete":
            let key = try parseKey()
            kind = .delete(key: key, options: try parseClientOptions())
        case "fail":
            kind = .fail(try parseSelector("NODES").selector)
        case "restart":
            kind = .restart(try parseSelector("NODES").selector)
        case "pause":
            kind = .pause(try parseSelector("NODES").selector)
        case "resume":
            kind = .resume(try parseSelector("NODES").selector)
        case "isolate":
            kind = .isolate(try parseSelector("NODES").selector)
        case "partition":
            kind = .partition(try parsePartition())
        case "block":
            kind = .block(try parseLink())
        case "heal":
            kind = .heal
        case "drop":
            let percent = try parsePercent("PERCENT")
            kind = .drop(percent: percent, link: try parseOptionalLink())
        case "duplicate":
            let percent = try parsePercent("PERCENT")
            kind = .duplicate(percent: percent, link: try parseOptionalLink())
        case "delay":
            let range = try parseDurationRange("DURATION..DURATION")
            kind = .delay(range, link: try parseOptionalLink())
        case "wait":
            if accept(word: "until") {
                use(spec: "wait until")
                let condition = try parseCondition()
                var within: UInt64?
                if accept(word: "within") {
                    trailing = []
                    within = try parseDuration("DURATION after 'within'", positive: true)
                } else {
                    trailing.append("'within'")
                }
                kind = .waitUntil(condition, within: within)
            } else {
                use(spec: "wait")
                if let token = peek, case .word(let other) = token.kind,
                   let hint = Suggestions.closest(to: other, among: ["until"]) {
                    throw failure("expected a duration or 'until', found '\(other)'; did you mean '\(hint)'?",
                                  at: token.location, expected: "wait DURATION or wait until CONDITION [within DURATION]")
                }
                kind = .wait(try parseDuration("DURATION"))
            }
        case "expect":
            kind = .expect(try parseCondition())
        case "workload":
            kind = try parseWorkload()
        case "report":
            kind = .report
        case "status":
            kind = .status
        case "history":
            kind = .history
        case "log":
            kind = .log(try parseSelector("NODE", single: true).selector)
        case "trace":
            let token = try require("'on' or 'off'")
            switch token.kind {
            case .word("on"): kind = .trace(true)
            case .word("off"): kind = .trace(false)
            default:
                throw failure("expected 'on' or 'off', found \(Self.describe(token))", at: token.location, expected: synopsis)
            }
        case "echo":
            if let token = next() {
                switch token.kind {
                case .text(let text), .string(let text): kind = .echo(text)
                default:
                    throw failure("expected TEXT, found \(Self.describe(token))", at: token.location, expected: synopsis)
                }
            } else {
                kind = .echo("")
            }
        case "help":
            kind = .help(try parseHelpTopic())
        case "let":
            kind = try parseLet()
        case "save":
            let token = try require("FILE")
            switch token.kind {
            case .string(let text) where !text.isEmpty: kind = .save(text)
            case let other where other.isPlainValue: kind = .save(token.text)
            default:
                throw failure("expected FILE, found \(Self.describe(token))", at: token.location, expected: "a file name such as session.scn")
            }
        default:
            // A word in the table that only makes sense elsewhere (never reached for repeat/end).
            throw failure("'\(word)' cannot be used here", at: first.location, expected: Self.commandExpected)
        }
        try finishLine()
        switch kind {
        case .cluster(let config): nodeCount = config.nodes
        case .letBinding(let name, _): variables.insert(name)
        default: break
        }
        return Statement(location: first.location, kind: kind)
    }

    mutating func parseCluster() throws(ParseError) -> ClusterConfig {
        let nodes = try parseInteger("the number of nodes", in: 1...Parser.maxNodes)
        var config = ClusterConfig(nodes: nodes)
        let options = ["seed", "election", "heartbeat", "latency", "udp", "netns"]
        var seen: Set<String> = []
        var netnsToken: Token?
        while true {
            trailing = options.filter { !seen.contains($0) }.map { "'\($0)'" }
            guard let token = peek, case .word(let word) = token.kind else { break }
            guard options.contains(word) else {
                throw failure("unknown cluster option '\(word)'" + Suggestions.hint(for: word, among: options),
                              at: token.location, expected: trailingText)
            }
            guard seen.insert(word).inserted else {
                throw failure("'\(word)' given twice", at: token.location, expected: trailingText)
            }
            position += 1
            switch word {
            case "seed": config.seed = try parseSeed()
            case "election": config.election = try parseDurationRange("the election timeout", positive: true)
            case "heartbeat": config.heartbeat = try parseDuration("the heartbeat interval", positive: true)
            case "latency": config.latency = try parseDurationRange("the latency")
            case "netns":
                config.netns = true
                netnsToken = token
            default: config.transport = .udp
            }
        }
        if let netnsToken, config.transport != .udp {
            throw failure("'netns' runs udp nodes in network namespaces: write 'udp netns'", at: netnsToken.location,
                          expected: "'udp'")
        }
        return config
    }

    mutating func parseSeed() throws(ParseError) -> UInt64 {
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

    /// `[via NODE] [timeout DURATION]`, each at most once, in any order; adds to `options`.
    mutating func parseClientOptions(_ initial: ClientOptions = ClientOptions()) throws(ParseError) -> ClientOptions {
        var options = initial
        while true {
            trailing = (options.via == nil ? ["'via'"] : []) + (options.timeout == nil ? ["'timeout'"] : [])
            guard let word = peekWord(), word == "via" || word == "timeout", let keyword = next() else { break }
            if word == "via" {
                guard options.via == nil else {
                    throw failure("'via' given twice", at: keyword.location, expected: trailingText)
                }
                options.via = try parseSelector("NODE after 'via'", single: true).selector
            } else {
                guard options.timeout == nil else {
                    throw failure("'timeout' given twice", at: keyword.location, expected: trailingText)
                }
                options.timeout = try parseDuration("DURATION after 'timeout'", positive: true)
            }
        }
        return options
    }

    mutating func parsePartition() throws(ParseError) -> [NodeSelector] {
        var groups = [try parseSelector("NODES")]
        while accept(.pipe) {
            groups.append(try parseSelector("NODES after '|'"))
        }
        trailing = ["'|'"]
        try finishLine()
        guard groups.count >= 2 else {
            throw failure("'partition' needs at least two groups separated by '|'", at: missingLocation, expected: synopsis)
        }
        var owner: [Int: Int] = [:]
        for (index, group) in groups.enumerated() {
            for (id, location) in group.ids {
                if let other = owner[id], other != index {
                    throw failure("node \(id) is in two groups", at: location, expected: "each node in at most one group")
                }
                owner[id] = index
            }
        }
        return groups.map(\.selector)
    }

    mutating func parseWorkload() throws(ParseError) -> StatementKind {
        let words = CommandTable.workloadWords
        let token = try require("'start' or 'stop'")
        guard case .word(let word) = token.kind, words.contains(word) else {
            let hint = if case .word(let word) = token.kind { Suggestions.hint(for: word, among: words) } else { "" }
            throw failure("unknown workload command \(Self.describe(token))" + hint, at: token.location, expected: synopsis)
        }
        use(spec: "workload \(word)")
        if word == "stop" { return .workloadStop }

        let options = ["clients", "requests", "ratio", "keys", "rate", "value-size"]
        var seen: Set<String> = []
        var config = WorkloadConfig(clients: 0)
        while true {
            trailing = options.filter { !seen.contains($0) }.map { "'\($0)'" }
            guard let token = peek, case .word(let word) = token.kind else { break }
            guard options.contains(word) else {
                throw failure("unknown workload option '\(word)'" + Suggestions.hint(for: word, among: options),
                              at: token.location, expected: trailingText)
            }
            guard seen.insert(word).inserted else {
                throw failure("'\(word)' given twice", at: token.location, expected: trailingText)
            }
            position += 1
            switch word {
            case "clients": config.clients = try parseInteger("the number of clients", in: 1...10_000)
            case "requests": config.requests = try parseInteger("the number of requests", in: 1...1_000_000_000)
            case "ratio": config.ratio = try parseNumber("the get ratio", in: 0...1)
            case "keys": config.keys = try parseInteger("the number of keys", in: 1...1_000_000_000)
            case "value-size": config.valueSize = try parseInteger("the value size in bytes", in: 1...16_384)
            default: config.rate = try parseRate()
            }
        }
        try finishLine()
        guard seen.contains("clients") else {
            throw failure("missing 'clients N' for 'workload start'", at: missingLocation, expected: synopsis)
        }
        return .workloadStart(config)
    }

    mutating func parseRate() throws(ParseError) -> Double {
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

    mutating func parseHelpTopic() throws(ParseError) -> String? {
        var words: [String] = []
        var start: SourceLocation?
        while let token = next() {
            guard case .word(let word) = token.kind else {
                throw failure("expected a command name, found \(Self.describe(token))", at: token.location, expected: synopsis)
            }
            if start == nil { start = token.location }
            words.append(word)
        }
        guard let start else { return nil }
        let topic = words.joined(separator: " ")
        guard Help.topics.contains(topic) else {
            throw failure("no help for '\(topic)'" + Suggestions.hint(for: topic, among: Help.topics), at: start,
                          expected: "a command name, or selectors, durations or conditions; type 'help' for the list")
        }
        return topic
    }

    mutating func parseLet() throws(ParseError) -> StatementKind {
        let nameExpected = "a name of letters, digits and _ such as L"
        let nameToken = try require("NAME", expected: nameExpected)
        guard case .word(let name) = nameToken.kind, Literals.isIdentifier(name) else {
            if case .variable(let name) = nameToken.kind {
                throw failure("write the name without '$': let \(name) = ...", at: nameToken.location, expected: nameExpected)
            }
            throw failure("invalid variable name \(Self.describe(nameToken))", at: nameToken.location, expected: nameExpected)
        }
        let equals = try require("'='")
        guard equals.kind == .assign else {
            throw failure("expected '=', found \(Self.describe(equals))", at: equals.location, expected: synopsis)
        }
        if accept(word: "term") {
            return .letBinding(name: name, value: .term)
        }
        return .letBinding(name: name, value: .nodes(try parseSelector("leader, term or NODES").selector))
    }
}
