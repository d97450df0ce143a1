import RaftCore
import KV
import ClusterModel

// What `expect put ... fails [with REASON]` and `expect get ... fails [with REASON]` check.

extension ExecutionContext {
    /// How a client operation that did not succeed failed, in the words of `fails with`.
    struct FailureFacts {
        /// `timeout` or `not-leader` (nil for other failures: rejected, abandoned).
        var kind: FailureReason?
        /// A "not leader" answer from a node that was not leading when the request was sent: it
        /// did not try to carry the operation out.
        var redirected: Bool
        /// The node handling it (the `via` node, or every node that is up) could not reach a quorum.
        var noQuorum: Bool
        /// `node 2 reaches 2 of 5 nodes`, `no node reaches a quorum`, ...
        var quorumText: String

        /// Whether the failure is of `reason`.
        func matches(_ reason: FailureReason) -> Bool {
            switch reason {
            case .timeout: kind == .timeout
            case .notLeader: kind == .notLeader
            case .noQuorum: noQuorum
            }
        }
    }

    /// Whether `via` leads right now (by the cluster's view of its role), when the cluster can tell.
    func isLeading(_ via: NodeID) -> Bool? {
        guard let c = executor.cluster as? any StateInspection else { return nil }
        let st = c.status(of: via)
        return st.state == .up && st.role == .leader
    }

    /// The facts of the failed operation `r`, sent to `via` (nil: through a client that finds the
    /// leader), which was leading when it was sent (`viaLed`; nil when unknown).
    func failureFacts(_ r: OperationResult, via: NodeID?, viaLed: Bool?) throws -> FailureFacts {
        let c = try cluster()
        let kind: FailureReason? = switch r.reason {
        case .timeout?: .timeout
        case .notLeader?: .notLeader
        default: r.failure == "timeout" ? .timeout : nil
        }
        let redirected = kind == .notLeader && viaLed != true
        let statuses = c.nodeIDs.map(c.status(of:))
        let network = (c as? any NetworkControl)?.network
        let quorum = Leadership.quorum(of: c.nodeIDs)
        var text: String
        var noQuorum: Bool
        if let via {
            let n = Leadership.reached(from: via, among: statuses, members: c.nodeIDs, network: network)
            noQuorum = n < quorum
            text = "node \(via) reaches \(n) of \(c.nodeIDs.count) nodes"
        } else {
            let reaching = statuses.filter { $0.state == .up }.map(\.id)
                .filter { Leadership.reached(from: $0, among: statuses, members: c.nodeIDs, network: network) >= quorum }
            noQuorum = reaching.isEmpty
            text = noQuorum ? "no node reaches a quorum" : "node \(reaching[0]) reaches a quorum"
        }
        noQuorum = noQuorum && (kind == .timeout || (kind == .notLeader && !redirected))
        return FailureFacts(kind: kind, redirected: redirected, noQuorum: noQuorum, quorumText: text)
    }

    /// Where the write `r` is committed (a node and the index), looking at the logs of the nodes that
    /// are up; nil when it is committed nowhere, or when the cluster cannot show its logs.
    func committedEntry(of r: OperationResult) -> (node: NodeID, index: LogIndex)? {
        guard r.seq > 0, let c = executor.cluster as? any StateInspection else { return nil }
        for id in c.nodeIDs {
            guard let entries = c.logEntries(of: id) else { continue }
            let commit = c.status(of: id).commit
            for e in entries where e.index <= commit && e.kind == .normal {
                if let cmd = try? Command.decode(e.data), cmd.client == r.client, cmd.seq == r.seq {
                    return (id, e.index)
                }
            }
        }
        return nil
    }
}
