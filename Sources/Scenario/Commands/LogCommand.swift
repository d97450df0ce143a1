/// `log NODE`: a node's log.
public struct LogCommand: ScenarioCommand {
    /// The row of `log`.
    public static let specs = [
        CommandSpec(
            name: "log",
            synopsis: "log NODE",
            summary: "Print a node's log: index, term and command of each entry.",
            example: "log 3",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

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
        let c = try x.inspection("log")
        x.output(LogTable.render(c, try x.resolveOne(node, for: "log")))
    }
}
