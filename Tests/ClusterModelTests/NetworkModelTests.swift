import Testing
import RaftCore
import ClusterModel

@Suite struct NetworkModelTests {
    @Test func linkFaultsCombineWithGlobalOnesByOneRule() {
        var n = NetworkModel(latency: 0...0)
        n.setFaults(loss: 0.3, duplicate: 0.05, delay: nil, on: nil)
        n.setFaults(loss: 0.1, duplicate: 0.5, delay: 10...20, on: [Link(1, 2)])
        let f = n.faults(on: Link(1, 2))
        #expect(f.loss == 0.3)
        #expect(f.duplicate == 0.5)
        #expect(f.extraDelay == 10...20)
        #expect(n.faults(on: Link(2, 1)) == LinkFaults(loss: 0.3, duplicate: 0.05))
    }

    @Test func zeroOnEveryLinkClearsEveryLinkAndDelayCombinesLikeTheRest() {
        var n = NetworkModel(latency: 0...0)
        n.setFaults(loss: 0.2, duplicate: 0.1, delay: 5...50, on: [Link(1, 2), Link(2, 3)])
        n.setFaults(loss: 0.1, duplicate: nil, delay: 10...20, on: nil)
        // The larger of the global and the link's own, for each of loss, duplication and delay.
        #expect(n.faults(on: Link(1, 2)) == LinkFaults(loss: 0.2, duplicate: 0.1, extraDelay: 10...50))
        #expect(n.faults(on: Link(3, 1)) == LinkFaults(loss: 0.1, extraDelay: 10...20))
        n.setFaults(loss: 0, duplicate: nil, delay: nil, on: nil)  // drop 0%
        #expect(n.faults(on: Link(1, 2)).loss == 0)
        #expect(n.faults(on: Link(1, 2)).duplicate == 0.1)
        n.setFaults(loss: nil, duplicate: nil, delay: 0...0, on: nil)  // delay 0ms
        #expect(n.faults(on: Link(1, 2)).extraDelay == nil)
        #expect(n.faults.extraDelay == nil)
        n.setFaults(loss: nil, duplicate: 0, delay: nil, on: [Link(1, 2)])  // duplicate 0% 1 -> 2
        #expect(n.linkFaults[Link(1, 2)] == nil)
        #expect(n.linkFaults[Link(2, 3)] == LinkFaults(duplicate: 0.1))
    }

    @Test func partitionReplacesTheWholeSymmetricCutButNotBlocks() {
        var n = NetworkModel(latency: 0...0)
        n.isolate(1)
        n.block(Link(4, 5))
        n.partition([[1, 2], [3, 4, 5]], allNodes: [1, 2, 3, 4, 5])
        #expect(n.connected(1, 2) && n.connected(2, 1))
        #expect(n.group(of: 1) == 1)
        #expect(!n.connected(4, 5) && n.connected(5, 4))
    }

    @Test func groupsAndIsolationAsStatusShowsThem() {
        var n = NetworkModel(latency: 0...0)
        #expect(n.group(of: 1) == nil)
        n.partition([[1, 2]], allNodes: [1, 2, 3, 4, 5])
        #expect(n.group(of: 1) == 1)
        #expect(n.group(of: 5) == 2)
        #expect(!n.connected(1, 3))
        #expect(n.connected(3, 4))
        n.isolate(4)
        #expect(n.group(of: 4) == 0)
        #expect(!n.connected(3, 4))
        n.block(Link(3, 5))
        #expect(!n.connected(3, 5))
        #expect(n.connected(5, 3))
        n.heal()
        #expect(n.connected(1, 3) && n.connected(3, 4) && n.connected(3, 5))
    }
}

@Suite struct LeadershipTests {
    func s(_ id: NodeID, _ state: NodeState, _ role: Role?, _ term: Term) -> NodeStatus {
        NodeStatus(id, state: state, role: role, term: term, leader: 0, commit: 0, applied: 0, lastIndex: 0, group: nil)
    }

    @Test func leaderOfTheHighestTermAmongNodesUpAndRunning() {
        #expect(Leadership.leader(among: [s(1, .up, .follower, 3), s(2, .up, .leader, 2), s(3, .up, .leader, 3)]) == 3)
        #expect(Leadership.leader(among: [s(1, .down, nil, 5), s(2, .up, .leader, 2)]) == 2)
        #expect(Leadership.leader(among: [s(1, .up, .follower, 1)]) == nil)
        // A paused node is never the leader, whatever it last reported.
        #expect(Leadership.leader(among: [s(1, .paused, .leader, 4), s(2, .up, .leader, 3)]) == 2)
        #expect(Leadership.leader(among: [s(1, .paused, .leader, 4)]) == nil)
        #expect(Leadership.highestTerm(among: [s(1, .down, nil, 9), s(2, .up, .follower, 4)]) == 4)
    }

    @Test func aLeaderCountsOnlyWithAQuorumBehindIt() {
        let members: [NodeID] = [1, 2, 3, 4, 5]
        // Three of five crashed: the survivor that still leads has no majority.
        let three = [s(1, .down, nil, 1), s(2, .down, nil, 1), s(3, .down, nil, 1), s(4, .up, .leader, 1), s(5, .up, .follower, 1)]
        #expect(Leadership.leader(among: three) == 4)
        #expect(Leadership.leaderWithQuorum(among: three, members: members, network: nil) == nil)
        // All up, but the leader is cut into a minority.
        let all = [s(1, .up, .leader, 2), s(2, .up, .follower, 2), s(3, .up, .follower, 2), s(4, .up, .follower, 2), s(5, .up, .follower, 2)]
        var n = NetworkModel(latency: 0...0)
        #expect(Leadership.leaderWithQuorum(among: all, members: members, network: n) == 1)
        n.partition([[1, 2], [3, 4, 5]], allNodes: members)
        #expect(Leadership.leaderWithQuorum(among: all, members: members, network: n) == nil)
        // A one-way block breaks the link for this purpose.
        n.heal()
        n.block(Link(3, 1)); n.block(Link(1, 4)); n.block(Link(5, 1))
        #expect(Leadership.leaderWithQuorum(among: all, members: members, network: n) == nil)
    }
}
