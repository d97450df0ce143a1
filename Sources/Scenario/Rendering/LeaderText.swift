import RaftCore
import ClusterModel

/// What the leader conditions saw, by the one rule (`Leadership`): the leader that counts (the
/// leader of the highest term among the nodes up and running, when it reaches a quorum), and the
/// words for it: `leader 4, term 2`, `no leader`, or why the leader there is does not count.
enum LeaderText {
    /// The leader that counts, if any, and the text the conditions print.
    static func seen(_ c: any StateInspection) -> (counted: NodeID?, text: String) {
        let statuses = c.nodeIDs.map(c.status(of:))
        let paused = statuses.filter { $0.state == .paused }.map(\.id)
        let pausedNote = paused.isEmpty ? "" : " (paused: " + paused.map(String.init).joined(separator: ",") + ")"
        guard let l = Leadership.leader(among: statuses) else { return (nil, "no leader" + pausedNote) }
        let term = c.status(of: l).term
        let network = (c as? any NetworkControl)?.network
        // The same members as `leaderWithQuorum`: the voters in force at the leader (learners and
        // removed nodes do not count), else every node.
        let members = c.quorumMembers(statuses)
        let reached = Leadership.reached(from: l, among: statuses, members: members, network: network)
        guard reached >= Leadership.quorum(of: members) else {
            let of = members.count == c.nodeIDs.count ? "\(members.count) nodes" : "\(members.count) voters"
            return (nil, "no leader with a quorum: node \(l) leads term \(term) but reaches \(reached) of \(of)"
                + pausedNote)
        }
        return (l, "leader \(l), term \(term)")
    }
}
