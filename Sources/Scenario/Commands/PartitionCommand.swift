/// `partition NODES | NODES [| NODES ...]`: replace the current cut (isolations included) with a
/// symmetric cut between the groups; nodes named in no group form one more.
public struct PartitionCommand: ScenarioCommand {
    /// The row of `partition`.
    public static let specs = [
        CommandSpec(
            name: "partition",
            synopsis: "partition NODES | NODES [| NODES ...]",
            summary: "Replace the current cut with a symmetric cut between the groups.",
            example: "partition 1,2 | 3,4,5",
            category: .faults),
    ]

    /// The groups, at least two.
    public var groups: [NodeSelector]

    /// A `partition` line between `groups`.
    public init(groups: [NodeSelector]) {
        self.groups = groups
    }

    /// Reads two or more groups separated by `|`; a node written in two groups is an error.
    public init(parsing p: inout LineParser) throws(ParseError) {
        var groups = [try p.parseSelector("NODES")]
        while p.accept(.pipe) {
            groups.append(try p.parseSelector("NODES after '|'"))
        }
        p.trailing = ["'|'"]
        try p.finishLine()
        guard groups.count >= 2 else {
            throw p.failure("'partition' needs at least two groups separated by '|'", at: p.missingLocation, expected: p.synopsis)
        }
        var owner: [Int: Int] = [:]
        for (index, group) in groups.enumerated() {
            for (id, location) in group.ids {
                if let other = owner[id], other != index {
                    throw p.failure("node \(id) is in two groups", at: location, expected: "each node in at most one group")
                }
                owner[id] = index
            }
        }
        self.groups = groups.map(\.selector)
    }

    /// `partition 1,2 | 3,4,5`.
    public var sourceText: String { "partition " + groups.map(\.sourceText).joined(separator: " | ") }

    /// Resolves the groups together (so `rest` is the rest) and replaces the cut.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("partition")
        let resolved = try x.resolveLine(groups)
        for g in resolved where g.isEmpty {
            throw x.failure("a partition group is empty")
        }
        let all = c.nodeIDs
        try c.updateNetwork { $0.partition(resolved, allNodes: all) }
        x.output("partition " + resolved.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " | ") + x.stamp())
    }
}
