import ClusterModel
import RaftCore

/// `promote NODE`: make a learner a voter.
public struct PromoteCommand: ScenarioCommand {
    /// The row of `promote`.
    public static let specs = [
        CommandSpec(
            name: "promote",
            synopsis: "promote NODE",
            summary: "Have the leader make the learner NODE a voter (its own membership change).",
            example: "promote 5",
            category: .membership),
    ]

    /// The learner.
    public var node: NodeSelector

    /// A `promote` line.
    public init(node: NodeSelector) { self.node = node }

    /// Reads `NODE`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        node = try p.parseSelector("NODE", single: true).selector
    }

    /// `promote 6`.
    public var sourceText: String { "promote \(node.sourceText)" }

    /// Asks the cluster; prints what the leader does.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.capability((any MembershipControl).self, for: "promote")
        for id in try x.resolve(node) {
            do {
                x.output(try c.promote(id) + x.stamp())
            } catch let error as ClusterError {
                throw x.failure(error.message)
            }
        }
    }
}
