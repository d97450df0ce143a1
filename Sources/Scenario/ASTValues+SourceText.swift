// The argument values of commands printed back as canonical source. Parsing a command's
// `sourceText` gives the same command again (locations aside); the shell's `save` relies on it.

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
    /// `cluster N [seed N] [election D..D] [heartbeat D] [latency D..D] [disk D..D] [snapshot-every N] [udp [netns] [background-writes] | exec "CMD"] [bug NAME]`.
    public var sourceText: String {
        var out = "cluster \(nodes)"
        if let seed { out += " seed \(seed)" }
        if let election { out += " election " + Literals.formatDurationRange(election) }
        if let heartbeat { out += " heartbeat " + Literals.formatDuration(heartbeat) }
        if let latency { out += " latency " + Literals.formatDurationRange(latency) }
        if let disk { out += " disk " + Literals.formatDurationRange(disk) }
        if let snapshotEvery { out += " snapshot-every \(snapshotEvery)" }
        if transport == .udp { out += " udp" }
        if netns { out += " netns" }
        if backgroundWrites { out += " background-writes" }
        if let command { out += " exec " + Literals.quoted(command) }
        if let bug { out += " bug " + bug.name }
        return out
    }
}

extension WorkloadConfig {
    /// `workload start clients N [requests N] [ratio R] [ops OP[:W],...] [keys N] [rate N/s] [value-size B]`.
    public var sourceText: String {
        var out = "workload start clients \(clients)"
        if let requests { out += " requests \(requests)" }
        if let ratio { out += " ratio " + Literals.formatNumber(ratio) }
        if let mix { out += " ops " + mix.map(\.sourceText).joined(separator: ",") }
        if let keys { out += " keys \(keys)" }
        if let rate { out += " rate " + Literals.formatNumber(rate) + "/s" }
        if let valueSize { out += " value-size \(valueSize)" }
        return out
    }
}
