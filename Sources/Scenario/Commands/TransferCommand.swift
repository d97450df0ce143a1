import ClusterModel
import RaftCore

/// `transfer leader to NODE`: hand leadership to a voter.
public struct TransferCommand: ScenarioCommand {
    /// The row of `transfer leader to`.
    public static let specs = [
        CommandSpec(
            name: "transfer",
            synopsis: "transfer leader to NODE",
            summary: "The leader stops accepting writes, brings NODE up to date and tells it to campaign at once (TimeoutNow, no PreVote); abandoned after an election timeout if NODE has not taken over (the old leader keeps leading). Returns at once: `wait until leader in NODE within 1s` waits for the outcome.",
            example: "transfer leader to 3",
            category: .membership),
    ]

    /// The target.
    public var node: NodeSelector

    /// A `transfer` line.
    public init(node: NodeSelector) { self.node = node }

    /// Reads `leader to NODE`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        try p.expect(word: "leader")
        try p.expect(word: "to")
        node = try p.parseSelector("NODE", single: true).selector
    }

    /// `transfer leader to 3`.
    public var sourceText: String { "transfer leader to \(node.sourceText)" }

    /// Asks the leader; prints that the transfer started.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.capability((any MembershipControl).self, for: "transfer leader")
        for id in try x.resolve(node) {
            do {
                x.output(try c.transferLeadership(to: id) + x.stamp())
            } catch let error as ClusterError {
                throw x.failure(error.message)
            }
        }
    }
}
