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

    /// Crashes each node that is not down, saying which one was the leader; a node already down
    /// is said to be.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("fail")
        let leader = (c as? any StateInspection)?.leader
        try x.changeEach(nodes, skip: { c.status(of: $0).state == .down ? "node \($0) is already down" : nil },
                         noneChanged: "every node named is already down") { id in
            let st = c.status(of: id)
            try c.crash(id)
            let was = id == leader ? " (was leader, term \(st.term))" : st.state == .paused ? " (was paused)" : ""
            return "node \(id) crashed\(was)"
        }
    }
}
