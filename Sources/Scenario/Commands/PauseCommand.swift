/// `pause NODES`: freeze nodes without crashing them.
public struct PauseCommand: NodesCommand {
    /// The row of `pause`.
    public static let specs = [
        CommandSpec(
            name: "pause",
            synopsis: "pause NODES",
            summary: "Freeze nodes without crashing them: no ticks, no messages handled.",
            example: "pause 3",
            category: .faults),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `pause` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Pauses each node.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("pause")
        for id in try x.resolve(nodes) { try c.pause(id); x.output("node \(id) paused" + x.stamp()) }
    }
}
