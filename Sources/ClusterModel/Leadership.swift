import RaftCore

/// The one definition of "the leader" that every kind of cluster and every line uses.
///
/// - The *leader* (the `leader` selector, `let L = leader`, `status`) is the node that leads the
///   highest term among the nodes that are up and running; paused and crashed nodes are never it.
/// - A leader *counts* for the conditions `expect leader …`, `expect no leader …` and
///   `wait until leader …` only when it can reach a quorum of the configuration: itself plus enough
///   members that are up, running, and connected to it both ways under the current cuts. A leader
///   cut off in a minority (until CheckQuorum makes it step down) is still the leader of its term,
///   but no quorum follows it, so it does not count.
public enum Leadership {
    /// The leader of the highest term among the nodes that are up and running, if any node leads.
    public static func leader(among statuses: [NodeStatus]) -> NodeID? {
        var best: NodeStatus? = nil
        for s in statuses where s.state == .up && s.role == .leader {
            if best == nil || s.term > best!.term { best = s }
        }
        return best?.id
    }

    /// The leader, if it can reach a quorum of `members` through `network` (nil: nothing is cut).
    public static func leaderWithQuorum(among statuses: [NodeStatus], members: [NodeID],
                                        network: NetworkModel?) -> NodeID? {
        guard let l = leader(among: statuses) else { return nil }
        return reachesQuorum(l, among: statuses, members: members, network: network) ? l : nil
    }

    /// Whether `node` plus the members that are up, running and connected to it both ways make a
    /// majority of `members`.
    public static func reachesQuorum(_ node: NodeID, among statuses: [NodeStatus], members: [NodeID],
                                     network: NetworkModel?) -> Bool {
        reached(from: node, among: statuses, members: members, network: network) >= quorum(of: members)
    }

    /// How many of `members` `node` reaches: itself (when up and running) plus the members that are
    /// up, running and connected to it both ways under `network` (nil: nothing is cut).
    public static func reached(from node: NodeID, among statuses: [NodeStatus], members: [NodeID],
                               network: NetworkModel?) -> Int {
        let up = Set(statuses.filter { $0.state == .up }.map(\.id))
        guard up.contains(node) else { return 0 }
        var reached = 0
        for m in members where up.contains(m) {
            if m == node || network.map({ $0.connected(node, m) && $0.connected(m, node) }) ?? true { reached += 1 }
        }
        return reached
    }

    /// A majority of `members`.
    public static func quorum(of members: [NodeID]) -> Int { members.count / 2 + 1 }

    /// The highest term among the nodes that are not down (0 if none is up).
    public static func highestTerm(among statuses: [NodeStatus]) -> Term {
        statuses.filter { $0.state != .down }.map(\.term).max() ?? 0
    }
}
