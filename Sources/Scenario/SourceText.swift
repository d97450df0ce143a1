// Printing the AST back as canonical source. Parsing `sourceText` gives the
// same AST again (locations aside); the shell's `save` relies on it.

extension NodeSelector {
    /// The selector as written in source: `1,2,3`, `leader`, `$L`, `$L,follower`.
    public var sourceText: String {
        switch self {
        case .ids(let ids): ids.map(String.init).joined(separator: ",")
        case .leader: "leader"
        case .follower: "follower"
        case .followers: "followers"
        case .all: "all"
        case .rest: "rest"
        case .variable(let name): "$" + name
        case .union(let parts): parts.map(\.sourceText).joined(separator: ",")
        }
    }
}

extension Link {
    /// `FROM -> TO`.
    public var sourceText: String { "\(from.sourceText) -> \(to.sourceText)" }
}

extension ClientOptions {
    /// ` via NODE timeout D` (each part only when set; empty when none, else with a leading space).
    public var sourceText: String {
        var out = ""
        if let via { out += " via " + via.sourceText }
        if let timeout { out += " timeout " + Literals.formatDuration(timeout) }
        return out
    }
}

extension ExpectedValue {
    /// `none`, or the value (quoted when needed; the string "none" is always quoted).
    public var sourceText: String {
        switch self {
        case .none: "none"
        case .value(let value): value == "none" ? Literals.quoted(value) : Literals.quoteIfNeeded(value)
        }
    }
}

extension MetricValue {
    /// `12.5`, `50ms`, `5%`.
    public var sourceText: String {
        switch self {
        case .number(let value): Literals.formatNumber(value)
        case .duration(let value): Literals.formatDuration(value)
        case .percent(let value): Literals.formatPercent(value)
        }
    }
}

extension IntOperand {
    /// `3` or `$T`.
    public var sourceText: String {
        switch self {
        case .literal(let value): String(value)
        case .variable(let name): "$" + name
        }
    }
}

extension ClusterConfig {
    /// `cluster N [seed N] [election D..D] [heartbeat D] [latency D..D] [udp [netns]]`.
    public var sourceText: String {
        var out = "cluster \(nodes)"
        if let seed { out += " seed \(seed)" }
        if let election { out += " election " + Literals.formatDurationRange(election) }
        if let heartbeat { out += " heartbeat " + Literals.formatDuration(heartbeat) }
        if let latency { out += " latency " + Literals.formatDurationRange(latency) }
        if transport == .udp { out += " udp" }
        if netns { out += " netns" }
        return out
    }
}

extension WorkloadConfig {
    /// `workload start clients N [requests N] [ratio R] [keys N] [rate N/s] [value-size B]`.
    public var sourceText: String {
        var out = "workload start clients \(clients)"
        if let requests { out += " requests \(requests)" }
        if let ratio { out += " ratio " + Literals.formatNumber(ratio) }
        if let keys { out += " keys \(keys)" }
        if let rate { out += " rate " + Literals.formatNumber(rate) + "/s" }
        if let valueSize { out += " value-size \(valueSize)" }
        return out
    }
}

extension Condition {
    /// The condition as written after `expect` or `wait until`.
    public var sourceText: String {
        switch self {
        case .leader(let nodes):
            nodes.map { "leader in " + $0.sourceText } ?? "leader"
        case .leaderIs(let op, let node):
            "leader \(op.symbol) \(node.sourceText)"
        case .noLeader(let nodes):
            nodes.map { "no leader in " + $0.sourceText } ?? "no leader"
        case .get(let key, let options, let expected):
            "get \(key)\(options.sourceText) == \(expected.sourceText)"
        case .getFails(let key, let options):
            "get \(key)\(options.sourceText) fails"
        case .putFails(let key, let value, let options):
            "put \(key) \(Literals.quoteIfNeeded(value))\(options.sourceText) fails"
        case .role(let nodes, let op, let role):
            "role \(nodes.sourceText) \(op.symbol) \(role.rawValue)"
        case .term(let op, let operand):
            "term \(op.symbol) \(operand.sourceText)"
        case .converged:
            "converged"
        case .applied(let key, let expected, let nodes):
            "applied \(key) == \(expected.sourceText) on \(nodes.sourceText)"
        case .linearizable:
            "linearizable"
        case .invariants:
            "invariants"
        case .unanswered(let op, let count):
            "unanswered \(op.symbol) \(count)"
        case .metric(let name, let op, let value):
            "metric \(name) \(op.symbol) \(value.sourceText)"
        }
    }
}

extension StatementKind {
    /// The command as canonical source; a `repeat` block spans several lines,
    /// its body indented by two spaces per level.
    public var sourceText: String { sourceText(indent: 0) }

    func sourceText(indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .cluster(let config): return pad + config.sourceText
        case .put(let key, let value, let options): return pad + "put \(key) \(Literals.quoteIfNeeded(value))\(options.sourceText)"
        case .get(let key, let options): return pad + "get \(key)\(options.sourceText)"
        case .delete(let key, let options): return pad + "delete \(key)\(options.sourceText)"
        case .fail(let nodes): return pad + "fail " + nodes.sourceText
        case .restart(let nodes): return pad + "restart " + nodes.sourceText
        case .pause(let nodes): return pad + "pause " + nodes.sourceText
        case .resume(let nodes): return pad + "resume " + nodes.sourceText
        case .partition(let groups): return pad + "partition " + groups.map(\.sourceText).joined(separator: " | ")
        case .isolate(let nodes): return pad + "isolate " + nodes.sourceText
        case .block(let link): return pad + "block " + link.sourceText
        case .heal: return pad + "heal"
        case .drop(let percent, let link):
            return pad + "drop " + Literals.formatPercent(percent) + (link.map { " " + $0.sourceText } ?? "")
        case .duplicate(let percent, let link):
            return pad + "duplicate " + Literals.formatPercent(percent) + (link.map { " " + $0.sourceText } ?? "")
        case .delay(let range, let link):
            return pad + "delay " + Literals.formatDurationRange(range) + (link.map { " " + $0.sourceText } ?? "")
        case .wait(let duration): return pad + "wait " + Literals.formatDuration(duration)
        case .waitUntil(let condition, let within):
            return pad + "wait until " + condition.sourceText + (within.map { " within " + Literals.formatDuration($0) } ?? "")
        case .expect(let condition): return pad + "expect " + condition.sourceText
        case .workloadStart(let config): return pad + config.sourceText
        case .workloadStop: return pad + "workload stop"
        case .report: return pad + "report"
        case .status: return pad + "status"
        case .log(let node): return pad + "log " + node.sourceText
        case .trace(let on): return pad + (on ? "trace on" : "trace off")
        case .history: return pad + "history"
        case .echo(let text): return pad + (text.isEmpty ? "echo" : "echo " + Self.echoText(text))
        case .help(let topic): return pad + (topic.map { "help " + $0 } ?? "help")
        case .letBinding(let name, let value):
            switch value {
            case .term: return pad + "let \(name) = term"
            case .nodes(let nodes): return pad + "let \(name) = " + nodes.sourceText
            }
        case .repeatBlock(let count, let body):
            let lines = ["\(pad)repeat \(count)"] + body.map { $0.kind.sourceText(indent: indent + 1) } + ["\(pad)end"]
            return lines.joined(separator: "\n")
        case .save(let file): return pad + "save " + Literals.quoteIfNeeded(file)
        }
    }

    /// Echo text is written raw when it reads back unchanged, else quoted.
    static func echoText(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last,
              !first.properties.isWhitespace, !last.properties.isWhitespace, first != "\"",
              !scalars.contains(where: { $0 == "#" || $0 == "\n" || $0 == "\r" }) else {
            return Literals.quoted(text)
        }
        return text
    }
}

extension Statement {
    /// The statement as canonical source (see `StatementKind.sourceText`).
    public var sourceText: String { kind.sourceText }
}

extension Script {
    /// The whole script as canonical source, one statement per line, ending with a newline.
    public var sourceText: String {
        statements.map(\.sourceText).map { $0 + "\n" }.joined()
    }
}
