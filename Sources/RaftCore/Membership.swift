/// Who belongs to a cluster, as a snapshot records it: the voters (whose majority decides) and the
/// learners (who receive the log but do not vote). Ids are kept sorted so that equal memberships
/// compare and encode equal.
///
/// Today every node's membership is its `RaftConfig.voters`, with no learners; the field travels in
/// snapshots (`SnapshotMetadata.membership`) so that membership change can restore it from one.
/// An empty membership means "not recorded" (a log started after a point in a test, or a storage
/// that only knows where its log starts).
public struct Membership: Sendable, Hashable, CustomStringConvertible {
    /// The voting members, ascending.
    public private(set) var voters: [NodeID]
    /// The non-voting members, ascending.
    public private(set) var learners: [NodeID]

    /// A membership of `voters` and `learners` (each sorted here).
    public init(voters: [NodeID] = [], learners: [NodeID] = []) {
        self.voters = voters.sorted()
        self.learners = learners.sorted()
    }

    /// Not recorded.
    public static let none = Membership()

    /// Whether nothing is recorded.
    public var isEmpty: Bool { voters.isEmpty && learners.isEmpty }

    /// Voters and learners together.
    public var count: Int { voters.count + learners.count }

    public var description: String {
        let v = voters.map(String.init).joined(separator: ",")
        return learners.isEmpty ? "voters \(v)" : "voters \(v) learners " + learners.map(String.init).joined(separator: ",")
    }
}
