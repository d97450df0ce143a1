/// `resume NODES`: unfreeze paused nodes.
public struct ResumeCommand: NodesCommand {
    /// The row of `resume`.
    public static let specs = [
        CommandSpec(
            name: "resume",
            synopsis: "resume NODES",
            summary: "Unfreeze paused nodes.",
            example: "resume 3",
            category: .faults),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `resume` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Resumes each paused node; a node named that is not paused is said to be.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("resume")
        try x.changeEach(nodes, skip: { id in
            switch c.status(of: id).state {
            case .paused: nil
            case .up: "node \(id) is not paused"
            case .down: "node \(id) is down, not paused: `restart \(id)` brings it back"
            }
        }, noneChanged: "no node is paused") { id in
            try c.resume(id)
            return "node \(id) resumed"
        }
    }
}
