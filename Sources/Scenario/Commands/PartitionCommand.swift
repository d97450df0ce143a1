import RaftCore

/// `partition NODES | NODES [| NODES ...]`: replace the current cut (isolations included) with a
/// symmetric cut between the groups; nodes named in no group form one more.
public struct PartitionCommand: ScenarioCommand {
    /// The row of `partition`.
    public static let specs = [
        CommandSpec(
            name: "partition",
            synopsis: "partition NODES | NODES [| NODES ...]",
            summary: "Replace the whole current cut, isolations included, with a symmetric cut between the groups; nodes named in no group form one more. One-way blocks and drop, duplicate and delay stay (heal clears them). Groups never overlap: a node in two groups, written or resolved, is an error.",
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
        // Selectors that overlap whatever the cluster's state: `all` with any other group, and the
        // same word or variable (or `follower` next to `followers`) in two groups.
        var seenParts: [NodeSelector: Int] = [:]
        for (index, group) in groups.enumerated() {
            let parts = group.selector.parts
            if parts.contains(.all) {
                throw p.failure("'all' names every node, so it overlaps the other groups", at: group.location,
                                expected: "each node in at most one group (write 'rest' for the nodes not named elsewhere)")
            }
            for part in parts {
                if case .ids = part { continue }
                let clashes: [NodeSelector] = part == .follower ? [.followers] : part == .followers ? [.followers, .follower] : [part]
                // Two `follower`s pick two different followers: they never overlap.
                for other in clashes where !(part == .follower && other == .follower) {
                    if let first = seenParts[other], first != index {
                        throw p.failure("'\(part.sourceText)' overlaps '\(other.sourceText)' in another group", at: group.location,
                                        expected: "each node in at most one group")
                    }
                }
            }
            for part in parts { if seenParts[part] == nil { seenParts[part] = index } }
        }
        self.groups = groups.map(\.selector)
    }

    /// `partition 1,2 | 3,4,5`.
    public var sourceText: String { "partition " + groups.map(\.sourceText).joined(separator: " | ") }

    /// Resolves the groups together (so `rest` is the rest) and replaces the cut; groups that
    /// turn out to share a node (`$L | leader` while $L leads) are an error, and nothing changes.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("partition")
        let resolved = try x.resolveLine(groups)
        for (g, sel) in zip(resolved, groups) where g.isEmpty {
            throw x.failure("the partition group '\(sel.sourceText)' names no node")
        }
        var owner: [NodeID: Int] = [:]
        for (index, g) in resolved.enumerated() {
            for id in g {
                if let other = owner[id], other != index {
                    throw x.failure("groups overlap: node \(id) is in '\(groups[other].sourceText)' and in '\(groups[index].sourceText)'")
                }
                owner[id] = index
            }
        }
        let all = c.nodeIDs
        try c.updateNetwork { $0.partition(resolved, allNodes: all) }
        x.output("partition " + resolved.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " | ") + x.stamp())
    }
}
