import RaftCore

/// The one definition of "the leader" that every kind of cluster and every line uses.
public enum Leadership {
    /// The leader of the highest term among the nodes that are not down, if any node leads.
    public static func leader(among statuses: [NodeStatus]) -> NodeID? {
        var best: NodeStatus? = nil
        for s in statuses where s.state != .down && s.role == .leader {
            if best == nil || s.term > best!.term { best = s }
        }
        return best?.id
    }

    /// The highest term among the nodes that are not down (0 if none is up).
    public static func highestTerm(among statuses: [NodeStatus]) -> Term {
        statuses.filter { $0.state != .down }.map(\.term).max() ?? 0
    }
}
