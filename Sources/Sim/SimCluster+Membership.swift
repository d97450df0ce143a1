import RaftCore
import KV
import ClusterModel

// Membership change and leadership transfer in the simulator: a new node starts empty and joins
// as a learner (promoted to voter once caught up, unless asked to stay a learner); a removed node is
// stopped once its removal commits. The changes themselves are the core's (`RaftNode.proposeChange`).

extension SimCluster {
    /// The members clients send to: every node that was not removed.
    var clientMembers: [NodeID] { nodes.filter { !$0.removed }.map(\.id) }

    /// The running leader's core, or a ClusterError saying there is none.
    private func leaderCore(for what: String) throws(ClusterError) -> (SimNode, RaftNode) {
        guard let l = leader, let r = node(l).raft else { throw ClusterError("no leader: \(what) needs one") }
        return (node(l), r)
    }

    /// How long a membership line waits for the leader to be ready for a change.
    static let changeReadyWait: SimTime = .s(1)

    /// Whether the leader `r` may propose a change now: it committed an entry of its term, the
    /// previous change is committed, and no transfer is under way.
    private static func readyForChange(_ r: RaftNode) -> Bool {
        r.role == .leader && r.mayChangeMembershipInThisTerm && r.latestChangeIndex <= r.log.committed && r.leadTransferee == noNode
    }

    /// Proposes `change` at the leader and runs its Ready; returns the entry's index and term. When
    /// the leader is not ready for a change yet (a new leader that has not committed an entry of its
    /// term, an earlier change not committed), time runs until it is, for at most `changeReadyWait`;
    /// the core's refusal is the error after that.
    private func propose(_ change: ConfigChange) throws(ClusterError) -> (leader: NodeID, index: LogIndex, term: Term) {
        var (n, r) = try leaderCore(for: "a membership change")
        if !Self.readyForChange(r) {
            run(until: now + Self.changeReadyWait) { [unowned self] in
                guard let l = self.leader, let lr = self.node(l).raft else { return false }
                return Self.readyForChange(lr)
            }
            (n, r) = try leaderCore(for: "a membership change")
        }
        do {
            let at = try r.proposeChange(change)
            mix(0xC0F, n.id, at.index, change.node)
            trace("node \(n.id) proposed \(change) at index \(at.index)")
            drain(n)
            return (n.id, at.index, at.term)
        } catch {
            throw ClusterError(error.description)
        }
    }

    /// Starts node `id` (the next new id), empty, and has the leader add it as a learner; unless
    /// `asLearner`, it is promoted to voter once it holds the leader's commit index.
    public func addNode(_ id: NodeID, asLearner: Bool) throws(ClusterError) -> String {
        let next = NodeID(nodes.count + 1)
        if id <= NodeID(nodes.count) {
            if node(id).removed { throw ClusterError("node \(id) was removed; a new node takes the next id, \(next)") }
            throw ClusterError("node \(id) already exists; a new node takes the next id, \(next)")
        }
        guard id == next else { throw ClusterError("node \(id) cannot be added: the next new node id is \(next)") }
        if id > 64 { throw ClusterError("at most 64 nodes are supported") }
        let (_, r) = try leaderCore(for: "add node")
        // Check with the leader before starting anything.
        do { _ = try r.membership.applying(.addLearner(id)) } catch { throw ClusterError(error.description) }
        let n = SimNode(id: id, joined: true)
        nodes.append(n)
        start(n)
        let at: (leader: NodeID, index: LogIndex, term: Term)
        do {
            at = try propose(.addLearner(id))
        } catch {
            // Nothing was added: forget the node again.
            n.server = nil
            n.state = .down
            nodes.removeLast()
            throw error
        }
        for cid in clientOrder { clients[cid]!.machine.setMembers(clientMembers) }
        trace("node \(id) started to join")
        if !asLearner { pendingPromotions.append(id) }
        return "node \(id) started; leader \(at.leader) adds it as a learner at index \(at.index)"
            + (asLearner ? "" : "; it becomes a voter once caught up")
    }

    /// Has the leader promote the learner `id` to voter now.
    public func promote(_ id: NodeID) throws(ClusterError) -> String {
        let (_, r) = try leaderCore(for: "promote")
        guard r.membership.learners.contains(id) else {
            throw ClusterError(r.membership.voters.contains(id) ? "node \(id) is already a voter"
                                                                : "node \(id) is not a learner (\(r.membership))")
        }
        let at = try propose(.addVoter(id))
        pendingPromotions.removeAll { $0 == id }
        return "leader \(at.leader) promotes node \(id) to voter at index \(at.index)"
    }

    /// Has the leader remove `id`; the node is stopped once the removal commits.
    public func removeNode(_ id: NodeID) throws(ClusterError) -> String {
        guard id >= 1, id <= NodeID(nodes.count), !node(id).removed else { throw ClusterError("node \(id) is not a member") }
        let at = try propose(.remove(id))
        pendingPromotions.removeAll { $0 == id }
        pendingRemovals.append((id, at.index, at.term))
        return "leader \(at.leader) removes node \(id) at index \(at.index); it stops once that commits"
    }

    /// Has the leader hand leadership to `id`.
    public func transferLeadership(to id: NodeID) throws(ClusterError) -> String {
        let (n, r) = try leaderCore(for: "transfer leader")
        if id == n.id { return "node \(id) already leads (term \(r.term)); nothing to transfer" }
        do {
            try r.transferLeadership(to: id)
        } catch {
            throw ClusterError(error.description)
        }
        mix(0x7EA, n.id, id)
        trace("node \(n.id) transfers leadership to node \(id)")
        drain(n)
        return "leader \(n.id) (term \(r.term)) transfers leadership to node \(id)"
    }

    /// Promotions and stops the cluster still has to make.
    public var pendingMembershipWork: Int { pendingPromotions.count + pendingRemovals.count }

    /// On a tick of `n`: stop removed nodes whose removal `n` knows committed, and, if `n` leads,
    /// promote learners that hold its commit index (once no other change is pending).
    func membershipWork(on n: SimNode) {
        guard let r = n.raft else { return }
        var stopped = false
        pendingRemovals.removeAll { p in
            guard r.log.committed >= p.index, r.log.term(at: p.index) == p.term || p.index <= r.log.offset else {
                return false
            }
            let gone = node(p.node)
            gone.removed = true
            if gone.state != .down { crash(p.node) }
            trace("node \(p.node) removed and stopped")
            mix(0x4E3, p.node)
            stopped = true
            return true
        }
        if stopped { for cid in clientOrder { clients[cid]!.machine.setMembers(clientMembers) } }
        guard n.state == .up, let lr = n.raft, lr.role == .leader, let id = pendingPromotions.first else { return }
        guard lr.membership.learners.contains(id) else {
            if !lr.membership.contains(id) { return }  // the learner change is not in this leader's log yet
            pendingPromotions.removeFirst()  // already a voter
            return
        }
        guard let pr = lr.progress[id], pr.match >= lr.log.committed, lr.latestChangeIndex <= lr.log.committed,
              lr.mayChangeMembershipInThisTerm, lr.leadTransferee == noNode else { return }
        do {
            let at = try lr.proposeChange(.addVoter(id))
            pendingPromotions.removeFirst()
            mix(0xC0F, n.id, at.index, id)
            trace("node \(n.id) promotes caught-up node \(id) to voter at index \(at.index)")
            drain(n)
        } catch {
            // Not now (e.g. the leader lost its role meanwhile); try again on a later tick.
        }
    }
}
