import ClusterModel
/// `log NODE`: a node's log.
public struct LogCommand: ScenarioCommand {
    /// The row of `log`.
    public static let specs = [
        CommandSpec(
            name: "log",
            synopsis: "log NODE [--json]",
            summary: "Print a node's log: index, term and command of each entry, and whether it is committed (on exec clusters: the node's standard error). --json prints one JSON document instead.",
            example: "log 3",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// The node.
    public var node: NodeSelector
    /// Whether to print JSON.
    public var json: Bool

    /// A `log` line.
    public init(node: NodeSelector, json: Bool = false) {
        self.node = node
        self.json = json
    }

    /// Reads one node and an optional `--json`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        node = try p.parseSelector("NODE", single: true).selector
        json = p.acceptJSONFlag()
    }

    /// `log NODE`, `log NODE --json`.
    public var sourceText: String { "log " + node.sourceText + (json ? " --json" : "") }

    /// Prints the node's log (see `LogTable`).
    public func execute(in x: ExecutionContext) throws {
        if let logs = try x.cluster() as? any ProcessLogs, !(logs is any StateInspection) {
            for id in try x.resolve(node) {
                let text = logs.processLog(of: id, lines: 50) ?? ""
                x.output("standard error of node \(id) (last 50 lines):" + (text.isEmpty ? " (empty)" : "\n" + text))
            }
            return
        }
        let c = try x.inspection("log")
        let id = try x.resolveOne(node, for: "log")
        x.output(json ? LogTable.json(c, id).description : LogTable.render(c, id))
    }
}
