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

    /// Restarts each node that is down. A node named on the line that is not down is said to be
    /// (a paused one with what to do instead); `restart all` mentions only the nodes it restarted.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("restart")
        try x.changeEach(nodes, skip: { id in
            if c.status(of: id).removed { return "node \(id) was removed from the cluster" }
            return switch c.status(of: id).state {
            case .down: nil
            case .paused: "node \(id) is paused, not down: `resume \(id)` unfreezes it"
            case .up: "node \(id) is not down"
            }
        }, noneChanged: "no node is down") { id in
            try c.restart(id)
            if c is any StateInspection {
                let st = c.status(of: id)
                return "node \(id) restarted (term \(st.term), log \(st.lastIndex))"
            }
            return "node \(id) restarted"
        }
    }
}
