import RaftCore
@testable import Sim
import ClusterModel

/// Random faults for the randomized suites: crashes and restarts, partitions, one-way blocks,
/// loss, duplication and delay, leadership transfers and membership changes (adding a node,
/// removing a voter, the leader included), all drawn from the cluster's seed.
struct FaultInjector {
    var rng: SeededRandom
    /// Never crash more than this many nodes at once (a minority, so the run can make progress).
    var maxDown: Int
    /// Whether transfers and membership changes are among the faults.
    var changesMembers: Bool
    /// Membership changes and transfers the leader accepted.
    var membershipChanges = 0
    var transfers = 0
    /// Never grow past this many nodes (ids), nor shrink below three voters.
    static let maxNodes = 8

    init(seed: UInt64, nodes: Int, changesMembers: Bool = true) {
        rng = SeededRandom(seed: seed, stream: "faults")
        maxDown = (nodes - 1) / 2
        self.changesMembers = changesMembers
    }

    /// Apply one random fault (or repair) to `c`. Returns a description for failure messages.
    mutating func step(_ c: SimCluster) -> String {
        let ids = c.nodeIDs.filter { !c.node($0).removed }
        let down = ids.filter { c.node($0).state == .down }
        switch rng.next(upperBound: UInt64(changesMembers ? 12 : 10)) {
        case 0, 1:
            let up = ids.filter { c.node($0).state == .up }
            if down.count < maxDown, let victim = rng.pick(up) {
                c.crash(victim)
                return "crash \(victim)"
            }
            return "none"
        case 2, 3:
            if let n = rng.pick(down) {
                c.restart(n)
                return "restart \(n)"
            }
            return "none"
        case 4:
            var shuffled = ids
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                shuffled.swapAt(i, Int(rng.next(upperBound: UInt64(i + 1))))
            }
            let cut = 1 + Int(rng.next(upperBound: UInt64(ids.count - 1)))
            c.updateNetwork { $0.partition([Array(shuffled[..<cut]), Array(shuffled[cut...])], allNodes: ids) }
            return "partition at \(cut)"
        case 5:
            let a = rng.pick(ids)!, b = rng.pick(ids)!
            if a != b { c.updateNetwork { $0.block(Link(a, b)) } }
            return "block \(a)->\(b)"
        case 6:
            let loss = Double(rng.next(upperBound: UInt64(31))) / 100
            let duplicate = Double(rng.next(upperBound: UInt64(6))) / 100
            let delay: ClosedRange<UInt64>? = rng.chance(0.5) ? .ms(0) ... .ms(40) : nil
            c.updateNetwork { $0.setFaults(LinkFaults(loss: loss, duplicate: duplicate, extraDelay: delay), on: nil) }
            return "loss \(loss)"
        case 7:
            if let n = rng.pick(ids), c.node(n).state == .up {
                c.pause(n)
                return "pause \(n)"
            }
            return "none"
        case 8, 9:
            for n in ids where c.node(n).state == .paused { c.resume(n) }
            c.updateNetwork { $0.heal() }
            return "heal"
        case 10:
            return transfer(c)
        default:
            return changeMembers(c)
        }
    }

    /// Has the leader hand leadership to a random voter that is up.
    private mutating func transfer(_ c: SimCluster) -> String {
        guard let l = c.leader, let r = c.node(l).raft else { return "none" }
        let targets = r.membership.voters.filter { $0 != l && c.node($0).state == .up }
        guard let to = rng.pick(targets) else { return "none" }
        do {
            _ = try c.transferLeadership(to: to)
            transfers += 1
            return "transfer to \(to)"
        } catch {
            return "transfer to \(to) refused: \(error)"
        }
    }

    /// Adds the next node (a learner promoted once caught up), or removes a random voter (the
    /// leader too), keeping at least three voters.
    private mutating func changeMembers(_ c: SimCluster) -> String {
        guard let l = c.leader, let r = c.node(l).raft else { return "none" }
        let voters = r.membership.voters
        let grow = c.nodeIDs.count < Self.maxNodes && (voters.count <= 3 || rng.chance(0.5))
        do {
            if grow {
                let id = NodeID(c.nodeIDs.count + 1)
                _ = try c.addNode(id, asLearner: false)
                membershipChanges += 1
                return "add node \(id)"
            }
            guard voters.count > 3, let victim = rng.pick(voters) else { return "none" }
            _ = try c.removeNode(victim)
            membershipChanges += 1
            return "remove node \(victim)"
        } catch {
            return "membership change refused: \(error)"
        }
    }

    /// Remove every fault: heal the network, resume and restart every node.
    func repairAll(_ c: SimCluster) {
        c.updateNetwork { $0.heal() }
        for n in c.nodeIDs where !c.node(n).removed {
            if c.node(n).state == .paused { c.resume(n) }
            if c.node(n).state == .down { c.restart(n) }
        }
    }
}
