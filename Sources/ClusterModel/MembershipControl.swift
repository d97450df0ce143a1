import RaftCore

/// Change who belongs to the cluster and who leads it, through the leader's core (single-server
/// membership changes and leadership transfer). Simulated clusters and udp clusters of `raftd`
/// processes have it (over UDP through admin requests, see docs/architecture.md); on exec clusters
/// the lines that need it fail with "not available on exec clusters".
public protocol MembershipControl: Cluster {
    /// Starts node `id`, empty, and asks the leader to add it as a learner. Unless `asLearner`, the
    /// cluster then promotes it to voter by itself once it has caught up with the leader's commit
    /// index. Returns what was done, for the line's answer. Throws when there is no leader, when `id`
    /// is not the next new node id or already a member, or when the leader refuses the change.
    func addNode(_ id: NodeID, asLearner: Bool) throws(ClusterError) -> String
    /// Asks the leader to make the learner `id` a voter.
    func promote(_ id: NodeID) throws(ClusterError) -> String
    /// Asks the leader to remove `id`; the cluster stops the node once the removal commits.
    func removeNode(_ id: NodeID) throws(ClusterError) -> String
    /// Asks the leader to hand leadership to the voter `id` (abandoned after an election timeout).
    func transferLeadership(to id: NodeID) throws(ClusterError) -> String
    /// The configuration in force as node `id` sees it (nil when it is down).
    func membership(of id: NodeID) -> Membership?
    /// Whether node `id`'s configuration in force is not committed yet as far as it knows.
    func changePending(at id: NodeID) -> Bool
    /// Membership changes the cluster still has to make by itself (promotions of caught-up learners,
    /// stops of removed nodes); 0 when it is done.
    var pendingMembershipWork: Int { get }
}

extension MembershipControl {
    /// The configuration in force at the leader (nil without one).
    public var leaderMembership: Membership? {
        guard let l = Leadership.leader(among: nodeIDs.map(status(of:))) else { return nil }
        return membership(of: l)
    }
}
