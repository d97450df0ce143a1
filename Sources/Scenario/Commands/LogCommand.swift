import ClusterModel
/// `log NODE`: a node's log.
public struct LogCommand: ScenarioCommand {
    /// The row of `log`.
    public static let specs = [
        CommandSpec(
            name: "log",
            synopsis: "log NODE",
            summary: "Print a node's log: index, term and command of each entry (on exec clusters: the node's standard error).",
            example: "log 3",
            category: .inspection),
    ]

    /// The node.
    public var node: NodeSelector

    /// A `log` line.
    public init(node: NodeSelector) {
        self.node = node
    }

    /// Reads one node.
    public init(parsing p: inout LineParser) throws(ParseError) {
        node = try p.parseSelector("NODE", single: true).selector
    }

    /// `log NODE`.
    public var sourceText: String { "log " + node.sourceText }

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
        for id in try x.resolve(node) { x.output(LogTable.render(c, id)) }
    }
}
