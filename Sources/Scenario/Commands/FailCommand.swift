import ClusterModel

/// `fail NODES`: crash nodes; what they had not synced is lost.
public struct FailCommand: NodesCommand {
    /// The row of `fail`.
    public static let specs = [
        CommandSpec(
            name: "fail",
            synopsis: "fail NODES",
            summary: "Crash nodes; writes they had not synced to disk are lost.",
            example: "fail leader",
            category: .faults),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `fail` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Crashes each node, saying which one was the leader.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("fail")
        let ids = try x.resolve(nodes)
        let leader = (c as? any StateInspection)?.leader
        for id in ids {
            let st = c.status(of: id)
            try c.crash(id)
            let was = id == leader ? " (was leader, term \(st.term))" : ""
            x.output("node \(id) crashed\(was)" + x.stamp())
        }
    }
}
