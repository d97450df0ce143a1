import ClusterModel

/// `block NODES -> NODES`: lose every message from the first nodes to the second (one way).
public struct BlockCommand: ScenarioCommand {
    /// The row of `block`.
    public static let specs = [
        CommandSpec(
            name: "block",
            synopsis: "block NODES -> NODES",
            summary: "Lose every message from the first nodes to the second (one way); it stays through partition, heal ends it.",
            example: "block 1 -> 2",
            category: .faults),
    ]

    /// The blocked direction.
    public var link: Link

    /// A `block` line for `link`.
    public init(link: Link) {
        self.link = link
    }

    /// Reads `NODES -> NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        link = try p.parseLink()
    }

    /// `block 1 -> 2`.
    public var sourceText: String { "block " + link.sourceText }

    /// Blocks every pair of distinct nodes the link names.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("block")
        let pairs = try x.resolveLink(link)
        try c.updateNetwork { n in for (a, b) in pairs { n.block(ClusterModel.Link(a, b)) } }
        x.output("blocked " + pairs.map { "\($0.0) -> \($0.1)" }.joined(separator: ", ") + x.stamp())
    }
}
