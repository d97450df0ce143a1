import ClusterModel

/// `snapshot NODES`: the nodes take a snapshot of their state machine now and compact their logs.
public struct SnapshotCommand: NodesCommand {
    /// The row of `snapshot`.
    public static let specs = [
        CommandSpec(
            name: "snapshot",
            synopsis: "snapshot NODES",
            summary: "Each of NODES takes a snapshot of what it applied now and compacts its log up to it (as `cluster … snapshot-every N` does by itself); a node that is down or applied nothing since its latest snapshot fails the line.",
            example: "snapshot all",
            category: .inspection),
    ]

    /// The nodes.
    public var nodes: NodeSelector

    /// A `snapshot` line about `nodes`.
    public init(nodes: NodeSelector) {
        self.nodes = nodes
    }

    /// Asks each node for a snapshot; prints `node 1 took a snapshot at index 42`.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.snapshotting("snapshot")
        for id in try x.resolve(nodes) {
            let index: UInt64
            do {
                index = try c.takeSnapshot(id)
            } catch let error as ClusterError {
                throw x.failure(error.message)
            }
            x.output("node \(id) took a snapshot at index \(index)" + x.stamp())
        }
    }
}
