import ArgumentParser
import Foundation
import RaftCore
import KV
import ClusterModel
import Scenario
import Harness

/// `raftsh bench transfer`: leadership transfer times, in the simulator or on raftd processes.
struct TransferBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Leadership transfer: request to the target leading with a quorum, and to a write through it answered.",
        discussion: """
            --count times, `transfer leader to` a follower voter chosen by the seed, timed until the \
            target leads with a quorum following it (as `wait until leader in N` counts it); then \
            --count times more, a put sent right after the transfer request, timed until the new \
            leader answers it (committed in its term). Median and p99 of each. 5 nodes, election \
            150-300 ms, heartbeat 50 ms; in the simulator links of 1-5 ms, over --udp local raftd \
            processes on loopback with fsync.
            """
    )

    @Flag(help: "Real raftd processes over UDP (loopback) instead of the simulator.")
    var udp = false

    @Option(help: "Transfers of each kind (default: 100 simulated, 20 over UDP).")
    var count: Int?

    @Option(help: "Cluster size.")
    var nodes: Int = 5

    @Option(help: "Seed of the simulation and of the choice of targets.")
    var seed: UInt64 = 1

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if nodes < 2 || nodes > ClusterLimits.maxNodes { throw ValidationError("--nodes must be 2...\(ClusterLimits.maxNodes)") }
    }

    func run() throws {
        let n = count ?? (udp ? 20 : 100)
        let cluster: any MembershipControl & StateInspection
        if udp {
            cluster = try UDPCluster(options: UDPClusterOptions(nodes: nodes, seed: seed))
        } else {
            cluster = try Executor.simulated(ClusterConfig(nodes: nodes, seed: seed), seed: seed)
        }
        defer { (cluster as? UDPCluster)?.shutdown() }
        print("raftsh bench transfer — \(nodes) \(udp ? "raftd processes over UDP (loopback, fsync)" : "simulated nodes (links 1-5ms)"), "
              + "seed \(seed), \(n) transfers of each kind")
        let quorum = try measure(cluster, n) { c, target, t0 in
            guard c.wait(until: { c.leaderWithQuorum == target }, within: 2_000_000_000) else {
                throw ValidationError("node \(target) did not lead with a quorum within 2s of the transfer request")
            }
            return c.now - t0
        }
        var key = 0
        let write = try measure(cluster, n) { c, target, t0 in
            key += 1
            let r = c.perform(.put(key: "transfer", value: "\(key)"), via: nil, timeout: 5_000_000_000)
            guard case .ok = r.outcome else { throw ValidationError("the put after the transfer failed: \(r.outcome)") }
            if r.node != target { print("  (the put was answered by node \(r.node), not the target \(target))") }
            return r.completed - t0
        }
        print(row("request to the target leading with a quorum", quorum))
        print(row("request to a write through the new leader answered", write))
    }

    /// `n` transfers to a follower voter each, timed by `timing` from the request (cluster time, ns).
    private func measure(_ c: any MembershipControl & StateInspection, _ n: Int,
                         _ timing: (any MembershipControl & StateInspection, NodeID, UInt64) throws -> UInt64) throws -> [UInt64] {
        var out: [UInt64] = []
        for _ in 0..<n {
            guard c.wait(until: { c.leaderWithQuorum != nil && c.pendingMembershipWork == 0 }, within: 5_000_000_000),
                  let leader = c.leaderWithQuorum, let m = c.membership(of: leader) else {
                throw ValidationError("no leader with a quorum within 5s")
            }
            // Let the previous leader's followers settle (heartbeats), as between lines of a scenario.
            c.wait(100_000_000)
            let followers = m.voters.filter { $0 != leader }
            let target = followers[c.choose(followers.count)]
            let t0 = c.now
            _ = try c.transferLeadership(to: target)
            out.append(try timing(c, target, t0))
        }
        return out
    }

    private func row(_ what: String, _ samples: [UInt64]) -> String {
        let s = samples.sorted()
        func ms(_ v: UInt64) -> String { String(format: "%.1f ms", Double(v) / 1e6) }
        let p99 = s[min(s.count - 1, Int((Double(s.count) * 0.99).rounded(.up)) - 1)]
        return "  \(what): median \(ms(s[s.count / 2])), p99 \(ms(p99)), max \(ms(s.last!)) (\(s.count) transfers)"
    }
}
