import Foundation
import RaftCore
import KV
import ClusterModel
import Wire
import Node

// Membership change and leadership transfer on real nodes: the same lines as in the simulator
// (`MembershipControl`), made by admin requests (`AdminOperation`) that the shell's control client
// sends like any client request, so the leader answers them and the others redirect
// (`ClientStateMachine`). A new node is a `raftd --join` on a socket of its own; every node learns
// its address from a `setPeer` control request (and from `--peers` when it restarts): addresses are
// the cluster's address book, not part of the Raft configuration (docs/architecture.md).

extension UDPCluster {
    /// How long a membership line waits for the leader to be ready for a change (as in the simulator).
    static let changeReadyWait: Duration = .seconds(1)

    /// How long one admin request may take, redirects and retries included.
    static let adminTimeout: Duration = .seconds(2)

    /// The nodes clients send to: every node not removed.
    var clientMembers: [NodeID] { nodeIDs.filter { !removed.contains($0) } }

    /// The leader and its report, or a ClusterError saying there is none.
    private func leaderReport(for what: String) throws(ClusterError) -> NodeReport {
        let statuses = nodeIDs.map(status(of:))
        guard let l = Leadership.leader(among: statuses), let r = report(l), r.role == .leader else {
            throw ClusterError("no leader: \(what) needs one")
        }
        return r
    }

    /// Whether the leader of report `r` may propose a change now: it committed an entry of its term,
    /// the previous change is committed, and no transfer is under way.
    private static func readyForChange(_ r: NodeReport) -> Bool {
        r.role == .leader && r.commitTerm == r.term && !r.changePending && r.transferee == noNode
    }

    /// Sends `admin` to the leader (through the shared client policy) and returns the answer's node
    /// and index; a refusal is the error, with the core's reason.
    private func ask(_ admin: AdminOperation) throws(ClusterError) -> (node: NodeID, index: LogIndex) {
        let done = ctl.perform(admin: admin, timeout: Self.adminTimeout)
        switch done.outcome {
        case .ok: return (done.node, done.index)
        case .failed(let f): throw ClusterError(f.description)
        case .indefinite(let f): throw ClusterError("\(admin): no answer from a leader (\(f)); it may or may not have happened")
        }
    }

    /// Proposes `change` at the leader, once the leader is ready for a change (waiting at most
    /// `changeReadyWait`, as the simulator does; the core's refusal is the error after that).
    private func propose(_ change: ConfigChange) throws(ClusterError) -> (leader: NodeID, index: LogIndex) {
        let r = try leaderReport(for: "a membership change")
        if !Self.readyForChange(r) {
            _ = wait(until: { [self] in
                guard let l = try? leaderReport(for: "") else { return false }
                return Self.readyForChange(l)
            }, within: nanos(Self.changeReadyWait))
        }
        let at = try ask(.change(change))
        emit("node \(at.node) proposed \(change) at index \(at.index)")
        return (at.node, at.index)
    }

    /// Refuses membership lines the cluster cannot carry out by itself.
    private func requireMembershipControl(_ command: String) throws(ClusterError) {
        if !ownsProcesses {
            throw ClusterError("this shell did not start the nodes (attached with --connect), so it cannot \(command); "
                               + "use `raftsh --udp` or `cluster N udp`")
        }
        if namespaceNetwork != nil {
            throw ClusterError("\(command) is not available on udp clusters in network namespaces (their namespaces "
                               + "are made for the first nodes); use a loopback udp cluster")
        }
    }

    // MARK: - MembershipControl

    public func addNode(_ id: NodeID, asLearner: Bool) throws(ClusterError) -> String {
        try requireMembershipControl("add node")
        let next = NodeID(nodeIDs.count + 1)
        if id <= NodeID(nodeIDs.count) {
            if removed.contains(id) { throw ClusterError("node \(id) was removed; a new node takes the next id, \(next)") }
            throw ClusterError("node \(id) already exists; a new node takes the next id, \(next)")
        }
        guard id == next else { throw ClusterError("node \(id) cannot be added: the next new node id is \(next)") }
        if id > NodeID(ClusterLimits.maxNodes) { throw ClusterError("at most \(ClusterLimits.maxNodes) nodes are supported") }
        let lr = try leaderReport(for: "add node")
        // Check with the leader's configuration before starting anything.
        do { _ = try lr.membership.applying(.addLearner(id)) } catch { throw ClusterError(error.description) }
        let socket: BoundUDPSocket
        do { socket = try BoundUDPSocket() } catch { throw ClusterError(error.message) }
        do {
            try FileManager.default.createDirectory(atPath: "\(runFolder!)/node\(id)", withIntermediateDirectories: true)
        } catch {
            socket.close()
            throw ClusterError("cannot create the data directory of node \(id): \(error)")
        }
        sockets[id] = socket
        addresses[id] = socket.address
        nodeIDs.append(id)
        applied[id] = TransportFaults()
        func forget() {
            if let p = processes.removeValue(forKey: id) { p.terminate() }
            states[id] = nil
            prober.nodeGone(id)
            nodeIDs.removeLast()
            addresses[id] = nil
            sockets.removeValue(forKey: id)?.close()
            try? FileManager.default.removeItem(atPath: "\(runFolder!)/node\(id)")
        }
        // Every running node learns the new address; a node down now gets it with --peers on restart.
        for n in nodeIDs where n != id && states[n] == .up {
            if ctl.control(.setPeer(node: id, address: socket.address), to: n, timeout: options.controlTimeout) != .ok {
                emit("node \(n) did not take node \(id)'s address \(socket.address); it learns it when it restarts")
            }
        }
        do {
            try updateClients(adding: id)
            try spawn(id)
            try awaitStartup([id], within: options.startupTimeout)
            prober.learn(id, address: socket.address)
            syncFaults(id)
        } catch {
            forget()
            try? updateClients(adding: nil)
            throw error
        }
        let at: (leader: NodeID, index: LogIndex)
        do {
            at = try propose(.addLearner(id))
        } catch {
            // Nothing was added: stop the node and forget it again.
            forget()
            try? updateClients(adding: nil)
            throw error
        }
        emit("node \(id) started to join")
        if !asLearner { pendingPromotions.append(id) }
        return "node \(id) started; leader \(at.leader) adds it as a learner at index \(at.index)"
            + (asLearner ? "" : "; it becomes a voter once caught up")
    }

    public func promote(_ id: NodeID) throws(ClusterError) -> String {
        try requireMembershipControl("promote")
        let r = try leaderReport(for: "promote")
        guard r.membership.learners.contains(id) else {
            throw ClusterError(r.membership.voters.contains(id) ? "node \(id) is already a voter"
                                                                : "node \(id) is not a learner (\(r.membership))")
        }
        let at = try propose(.addVoter(id))
        pendingPromotions.removeAll { $0 == id }
        return "leader \(at.leader) promotes node \(id) to voter at index \(at.index)"
    }

    public func removeNode(_ id: NodeID) throws(ClusterError) -> String {
        try requireMembershipControl("remove node")
        guard nodeIDs.contains(id), !removed.contains(id) else { throw ClusterError("node \(id) is not a member") }
        let at = try propose(.remove(id))
        pendingPromotions.removeAll { $0 == id }
        pendingRemovals.append((id, at.index))
        return "leader \(at.leader) removes node \(id) at index \(at.index); it stops once that commits"
    }

    public func transferLeadership(to id: NodeID) throws(ClusterError) -> String {
        try requireMembershipControl("transfer leader")
        let r = try leaderReport(for: "transfer leader")
        if id == r.id { return "node \(id) already leads (term \(r.term)); nothing to transfer" }
        let at = try ask(.transfer(to: id))
        emit("node \(at.node) transfers leadership to node \(id)")
        return "leader \(at.node) (term \(r.term)) transfers leadership to node \(id)"
    }

    public func membership(of id: NodeID) -> Membership? {
        guard states[id] != .down else { return nil }
        return report(id)?.membership
    }

    public func changePending(at id: NodeID) -> Bool {
        guard states[id] != .down, let r = report(id) else { return false }
        return r.changePending
    }

    public var pendingMembershipWork: Int { pendingPromotions.count + pendingRemovals.count }

    // MARK: - The cluster's own work

    /// Called while time passes (`wait`): stops removed nodes whose removal a node knows committed,
    /// and has the leader promote learners that hold its commit index (once no other change is
    /// pending), from the prober's latest reports.
    func membershipWork() {
        guard !pendingRemovals.isEmpty || !pendingPromotions.isEmpty else { return }
        let reports = prober.latestReports()
        var stopped = false
        pendingRemovals.removeAll { p in
            let committed = reports.values.contains { r in
                // Committed at or after the removal's index, it holds that entry (or one that
                // replaced it, whose configuration would name the node again).
                !r.membership.isEmpty && !r.membership.contains(p.node) && r.commit >= p.index
            }
            guard committed else { return false }
            removed.insert(p.node)
            if states[p.node] != .down {
                if let proc = processes.removeValue(forKey: p.node) { proc.terminate() }
                states[p.node] = .down
                prober.nodeGone(p.node)
            }
            emit("node \(p.node) removed and stopped")
            stopped = true
            return true
        }
        if stopped { try? updateClients(adding: nil) }
        guard let id = pendingPromotions.first,
              let lr = reports.values.filter({ $0.role == .leader }).max(by: { $0.term < $1.term }) else { return }
        guard lr.membership.learners.contains(id) else {
            if lr.membership.voters.contains(id) { pendingPromotions.removeFirst() }  // already a voter
            return  // or the learner change is not in this leader's log yet
        }
        guard let learner = reports[id], learner.lastIndex >= lr.commit, Self.readyForChange(lr) else { return }
        let done = ctl.perform(admin: .change(.addVoter(id)), timeout: .milliseconds(500), via: lr.id)
        if case .ok = done.outcome {
            pendingPromotions.removeFirst()
            emit("node \(lr.id) promotes caught-up node \(id) to voter at index \(done.index)")
        }
        // Otherwise not now (the leader changed, or refused); try again on a later round.
    }

    /// Tell every client (the shell's, the prober's, the workload's) the nodes to send to, and the
    /// address of `id` when it is new.
    func updateClients(adding id: NodeID?) throws(ClusterError) {
        let book = id.flatMap { i in addresses[i].map { [i: $0] } } ?? [:]
        let members = clientMembers
        workloadClients.removeAll { $0.client == nil }
        do {
            try ops.setNodes(members, addresses: book)
            try ctl.setNodes(members, addresses: book)
            for w in workloadClients { try w.client?.setNodes(members, addresses: book) }
        } catch {
            throw ClusterError(error.message)
        }
    }
}

/// A client a workload owns, held weakly so that the cluster can tell it of membership changes.
final class WeakUDPClient {
    weak var client: UDPClient?
    init(_ client: UDPClient) { self.client = client }
}
