/// `isolate NODES`: cut nodes off from everyone, on top of the current cut.
public struct IsolateCommand: NodesCommand {
    /// The row of `isolate`.
    public static let specs = [
        CommandSpec(
            name: "isolate",
            synopsis: "isolate NODES",
            summary: "Cut nodes off from everyone, on top of the current cut (the next partition or heal ends it).",
            example: "isolate 3",
            category: .faults),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `isolate` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Isolates each node; one already isolated is said to be.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("isolate")
        try x.changeEach(nodes, skip: { c.network.isolated.contains($0) ? "node \($0) is already isolated" : nil },
                         noneChanged: "every node named is already isolated") { id in
            try c.updateNetwork { $0.isolate(id) }
            return "node \(id) isolated"
        }
    }
}
