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

    /// Pauses each running node; a node named that is paused or down is said to be.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("pause")
        try x.changeEach(nodes, skip: { id in
            switch c.status(of: id).state {
            case .up: nil
            case .paused: "node \(id) is already paused"
            case .down: "node \(id) is down, not running: `restart \(id)` brings it back"
            }
        }, noneChanged: "no node is running") { id in
            try c.pause(id)
            return "node \(id) paused"
        }
    }
}
