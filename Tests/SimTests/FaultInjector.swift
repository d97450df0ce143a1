import RaftCore
import Sim
import ClusterModel

/// Random faults for the randomized suites: crashes and restarts, partitions, one-way blocks,
/// loss, duplication and delay, all drawn from the cluster's seed.
struct FaultInjector {
    var rng: SeededRandom
    /// Never crash more than this many nodes at once (a minority, so the run can make progress).
    var maxDown: Int

    init(seed: UInt64, nodes: Int) {
        rng = SeededRandom(seed: seed, stream: "faults")
        maxDown = (nodes - 1) / 2
    }

    /// Apply one random fault (or repair) to `c`. Returns a description for failure messages.
    mutating func step(_ c: SimCluster) -> String {
        let ids = c.nodeIDs
        let down = ids.filter { c.node($0).state == .down }
        switch rng.next(upperBound: UInt64(10)) {
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
        default:
            for n in ids where c.node(n).state == .paused { c.resume(n) }
            c.updateNetwork { $0.heal() }
            return "heal"
        }
    }

    /// Remove every fault: heal the network, resume and restart every node.
    func repairAll(_ c: SimCluster) {
        c.updateNetwork { $0.heal() }
        for n in c.nodeIDs {
            if c.node(n).state == .paused { c.resume(n) }
            if c.node(n).state == .down { c.restart(n) }
        }
    }
}
