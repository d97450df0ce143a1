/// `isolate NODES`: cut nodes off from everyone, on top of the current cut.
public struct IsolateCommand: NodesCommand {
    /// The row of `isolate`.
    public static let specs = [
        CommandSpec(
            name: "isolate",
            synopsis: "isolate NODES",
            summary: "Cut nodes off from everyone, on top of the current cut.",
            example: "isolate 3",
            category: .faults),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `isolate` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Isolates each node.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("isolate")
        for id in try x.resolve(nodes) {
            try c.updateNetwork { $0.isolate(id) }
            x.output("node \(id) isolated" + x.stamp())
        }
    }
}
