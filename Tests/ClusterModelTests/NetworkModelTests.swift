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

    @Test func leaderOfTheHighestTermAmongNodesNotDown() {
        #expect(Leadership.leader(among: [s(1, .up, .follower, 3), s(2, .up, .leader, 2), s(3, .up, .leader, 3)]) == 3)
        #expect(Leadership.leader(among: [s(1, .down, nil, 5), s(2, .up, .leader, 2)]) == 2)
        #expect(Leadership.leader(among: [s(1, .up, .follower, 1)]) == nil)
        #expect(Leadership.highestTerm(among: [s(1, .down, nil, 9), s(2, .up, .follower, 4)]) == 4)
    }
}
