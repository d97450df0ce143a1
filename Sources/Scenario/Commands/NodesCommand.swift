/// A command whose one argument is a node selector (`fail NODES`, `pause NODES`, ...): the
/// protocol reads and prints the selector; the command gives its row and what it does.
public protocol NodesCommand: ScenarioCommand {
    /// The nodes, as written.
    var nodes: NodeSelector { get }
    /// The command about `nodes`.
    init(nodes: NodeSelector)
}

extension NodesCommand {
    /// Reads `NODES`.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        self.init(nodes: try parser.parseSelector("NODES").selector)
    }

    /// `WORD NODES`.
    public var sourceText: String { Self.specs[0].commandWord + " " + nodes.sourceText }
}
