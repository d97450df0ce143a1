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

    /// Resumes each node.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.processControl("resume")
        for id in try x.resolve(nodes) { try c.resume(id); x.output("node \(id) resumed" + x.stamp()) }
    }
}
