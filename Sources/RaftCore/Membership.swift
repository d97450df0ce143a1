/// Who belongs to a cluster, as a snapshot records it: the voters (whose majority decides) and the
/// learners (who receive the log but do not vote). Ids are kept sorted so that equal memberships
/// compare and encode equal.
///
/// A node starts from the membership of its `RaftConfig` (`voters`, `learners`); every change is a
/// `.config` entry of the log carrying the whole new membership (`encoded`), in force on each node
/// from the moment it appends the entry (thesis §4.1). Snapshots record the membership at their
/// index (`SnapshotMetadata.membership`). An empty membership means "not recorded" (a log started
/// after a point in a test, a storage that only knows where its log starts, a joining node that has
/// not heard from a leader yet).
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

    /// Whether `id` is a voter or a learner.
    public func contains(_ id: NodeID) -> Bool { voters.contains(id) || learners.contains(id) }

    /// Voters and learners together, ascending.
    public var members: [NodeID] { (voters + learners).sorted() }

    /// The number of voters that make a majority.
    public var quorum: Int { voters.count / 2 + 1 }

    /// Whether the voters among `ids` are a majority of the voters.
    public func isQuorum(_ ids: some Sequence<NodeID>) -> Bool {
        var n = 0
        for id in ids where voters.contains(id) { n += 1 }
        return n >= quorum
    }

    /// The membership after `change`, or `.membershipChangeRefused` saying why it cannot apply.
    public func applying(_ change: ConfigChange) throws(RaftError) -> Membership {
        let id = change.node
        if id == noNode { throw .membershipChangeRefused("node ids must be 1 or more") }
        var v = voters, l = learners
        switch change {
        case .addLearner:
            if v.contains(id) { throw .membershipChangeRefused("node \(id) is already a voter") }
            if l.contains(id) { throw .membershipChangeRefused("node \(id) is already a learner") }
            l.append(id)
        case .addVoter:
            if v.contains(id) { throw .membershipChangeRefused("node \(id) is already a voter") }
            l.removeAll { $0 == id }
            v.append(id)
        case .remove:
            guard contains(id) else { throw .membershipChangeRefused("node \(id) is not a member (\(self))") }
            if v == [id] { throw .membershipChangeRefused("node \(id) is the last voter; a cluster needs one") }
            v.removeAll { $0 == id }
            l.removeAll { $0 == id }
        }
        return Membership(voters: v, learners: l)
    }

    /// How many voters differ between `self` and `other` (added plus removed).
    public func voterDifference(_ other: Membership) -> Int {
        voters.filter { !other.voters.contains($0) }.count + other.voters.filter { !voters.contains($0) }.count
    }

    /// The bytes a `.config` entry carries: a version byte (1), then the voters and the learners, each
    /// as a count (u32) and ids (u64), little-endian.
    public var encoded: [UInt8] {
        var out: [UInt8] = [1]
        for list in [voters, learners] {
            withUnsafeBytes(of: UInt32(list.count).littleEndian) { out.append(contentsOf: $0) }
            for id in list { withUnsafeBytes(of: id.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// Decodes `encoded`; nil when the bytes are not a membership.
    public init?(decoding bytes: [UInt8]) {
        guard bytes.first == 1 else { return nil }
        var pos = 1
        func u64(_ width: Int) -> UInt64? {
            guard pos + width <= bytes.count else { return nil }
            var v: UInt64 = 0
            for i in 0 ..< width { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
            pos += width
            return v
        }
        var lists: [[NodeID]] = []
        for _ in 0 ..< 2 {
            guard let n = u64(4), n <= UInt64(bytes.count / 8) else { return nil }
            var ids: [NodeID] = []
            for _ in 0 ..< n {
                guard let id = u64(8), id != noNode, !ids.contains(id) else { return nil }
                ids.append(id)
            }
            lists.append(ids)
        }
        guard pos == bytes.count, !lists[0].contains(where: lists[1].contains) else { return nil }
        self.init(voters: lists[0], learners: lists[1])
    }
}
