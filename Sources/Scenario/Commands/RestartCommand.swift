import ClusterModel

/// `restart NODES`: restart crashed nodes from what they persisted.
public struct RestartCommand: NodesCommand {
    /// The row of `restart`.
    public static let specs = [
        CommandSpec(
            name: "restart",
            synopsis: "restart NODES",
            summary: "Restart crashed nodes from what they persisted.",
            example: "restart all",
            category: .faults),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `restart` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Restarts each node that is down; says so of the others.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("restart")
        for id in try x.resolve(nodes) {
            if c.status(of: id).removed {
                x.output("node \(id) was removed from the cluster" + x.stamp())
                continue
            }
            if c.status(of: id).state != .down {
                x.output("node \(id) is not down" + x.stamp())
                continue
            }
            try c.restart(id)
            if c is any StateInspection {
                let st = c.status(of: id)
                x.output("node \(id) restarted (term \(st.term), log \(st.lastIndex))" + x.stamp())
            } else {
                x.output("node \(id) restarted" + x.stamp())
            }
        }
    }
}
