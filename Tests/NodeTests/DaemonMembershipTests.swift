import Foundation
import Testing
import RaftCore
import KV
import Wire
import Node
import Harness
import NodeTestSupport

/// raftd and membership: a node started with `--join` (no configuration) waits for the leader, is
/// added as a learner and promoted by admin requests over UDP, a node is removed, leadership is
/// transferred, bad requests get the core's reasons, and every node restarts with the configuration
/// its log and snapshot hold.
@Suite(.serialized)
struct DaemonMembershipTests {
    /// The configuration node `id` reports (nil when it does not answer).
    private func membership(_ client: UDPClient, _ id: NodeID) -> Membership? { status(client, id)?.membership }

    /// Runs `admin` through the client's shared policy; the outcome.
    private func admin(_ client: UDPClient, _ op: AdminOperation) -> ClientOutcome {
        client.perform(admin: op, timeout: .seconds(3)).outcome
    }

    private func refusal(_ outcome: ClientOutcome) -> String {
        if case .failed(.rejected(let why)) = outcome { return why }
        return "not refused: \(outcome)"
    }

    @Test func aJoiningNodeIsAddedPromotedAndTheConfigurationSurvivesRestarts() throws {
        let cluster = try LocalCluster(size: 4)
        defer { cluster.shutdown() }
        for id: NodeID in 1...3 { cluster.voters[id] = [1, 2, 3] }
        cluster.voters[4] = []
        for id: NodeID in 1...3 { try cluster.start(id) }
        let client = try cluster.client()
        try client.setNodes([1, 2, 3], addresses: [:])
        _ = try #require(waitForLeader(client, among: [1, 2, 3]), "no leader within 5s")
        #expect(client.perform(.put(key: "x", value: "1"), timeout: .seconds(5)).outcome == .ok(.ok))
        #expect(membership(client, 1) == Membership(voters: [1, 2, 3]))

        // The joining node knows no configuration: it does not campaign, and nobody talks to it.
        try cluster.start(4)
        sleepFor(.milliseconds(800))
        let joining = try #require(status(client, 4))
        #expect(joining.membership.isEmpty && joining.term == 0 && joining.role == .follower)

        // Bad requests get the core's reasons.
        #expect(refusal(admin(client, .change(.remove(9)))).contains("node 9 is not a member"))
        #expect(refusal(admin(client, .change(.addVoter(2)))).contains("already a voter"))

        // Add 4 as a learner: it catches up, then is promoted.
        guard case .ok = admin(client, .change(.addLearner(4))) else { Issue.record("add learner 4 refused"); return }
        let caughtUp = eventually(within: .seconds(5)) {
            client.control(.localGet(key: "x"), to: 4) == .localValue("1")
                && membership(client, 4) == Membership(voters: [1, 2, 3], learners: [4])
        }
        #expect(caughtUp, "node 4 did not catch up as a learner: \(String(describing: status(client, 4)))")
        let promoted = eventually(within: .seconds(3)) {
            if case .ok = admin(client, .change(.addVoter(4))) { return true }
            return false
        }
        #expect(promoted, "promote 4 was refused")
        let all = Membership(voters: [1, 2, 3, 4])
        #expect(eventually(within: .seconds(3)) { (1...4).allSatisfy { membership(client, $0) == all && status(client, $0)?.changePending == false } })
        try client.setNodes([1, 2, 3, 4], addresses: [:])

        // Transfer leadership to 4, then remove 1.
        let before = try #require(findLeader(client, among: [1, 2, 3, 4]))
        if before.id != 4 {
            guard case .ok = admin(client, .transfer(to: 4)) else { Issue.record("transfer refused"); return }
        }
        #expect(waitForLeader(client, among: [4], within: .seconds(3)) == 4, "4 did not take over")
        let removedOne = eventually(within: .seconds(3)) {
            if case .ok = admin(client, .change(.remove(1))) { return true }
            return false
        }
        #expect(removedOne, "remove 1 was refused")
        let three = Membership(voters: [2, 3, 4])
        #expect(eventually(within: .seconds(3)) { [2, 3, 4].allSatisfy { membership(client, $0) == three } })
        cluster.stop(1)
        try client.setNodes([2, 3, 4], addresses: [:])
        #expect(client.perform(.put(key: "x", value: "2"), timeout: .seconds(5)).outcome == .ok(.ok))

        // Restart from the log alone, then from snapshots: the configuration is rebuilt both times.
        for round in 0..<2 {
            if round == 1 {
                for id: NodeID in [2, 3, 4] {
                    guard case .snapshotTaken? = client.control(.snapshot, to: id) else {
                        Issue.record("node \(id) took no snapshot")
                        continue
                    }
                }
            }
            for id: NodeID in [2, 3, 4] { cluster.stop(id) }
            for id: NodeID in [2, 3, 4] { try cluster.start(id) }
            for id: NodeID in [2, 3, 4] {
                #expect(membership(client, id) == three, "round \(round): node \(id) restarted with \(String(describing: membership(client, id)))")
                if round == 1 { #expect((status(client, id)?.firstIndex ?? 0) > 1, "node \(id) did not restart from a snapshot") }
            }
            _ = try #require(waitForLeader(client, among: [2, 3, 4], within: .seconds(8)), "no leader after restart \(round)")
            #expect(client.perform(.get(key: "x"), timeout: .seconds(5)).outcome == .ok(.value("2")))
        }

        // A second change while one is pending: with two voters down nothing commits.
        let leader = try #require(waitForLeader(client, among: [2, 3, 4]))
        for id: NodeID in [2, 3, 4] where id != leader { cluster.stop(id) }
        guard case .ok = client.perform(admin: .change(.addLearner(1)), timeout: .seconds(1), via: leader).outcome else {
            Issue.record("the first change was refused")
            return
        }
        let second = client.perform(admin: .change(.remove(4 == leader ? 3 : 4)), timeout: .seconds(1), via: leader).outcome
        #expect(refusal(second).contains("not committed yet"), "\(second)")
    }
}
