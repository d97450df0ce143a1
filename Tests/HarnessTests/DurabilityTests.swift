import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import KV
import Check
import Wire
@testable import Node

/// A history shared by client threads; timestamps are nanoseconds since `start`.
private final class SharedHistory: @unchecked Sendable {
    private let lock = NSLock()
    private var history = History()
    let start = ContinuousClock.now

    var now: UInt64 {
        let c = (ContinuousClock.now - start).components
        return UInt64(c.seconds) * 1_000_000_000 + UInt64(c.attoseconds / 1_000_000_000)
    }

    func invoke(_ client: ClientID, _ op: KVOperation) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return history.invoke(client: client, op: op, at: now)
    }

    func complete(_ id: Int, _ outcome: OperationOutcome) {
        lock.lock()
        defer { lock.unlock() }
        history.complete(id, outcome: outcome, at: now)
    }

    var snapshot: History {
        lock.lock()
        defer { lock.unlock() }
        return history
    }
}

/// Runs `op` through `client` and records it: a write without an answer (or refused after it may
/// have been proposed) is `.unknown`, a read without an answer `.fail`.
@discardableResult
private func record(_ op: KVOperation, _ client: UDPClient, _ history: SharedHistory,
                    timeout: Duration) -> OperationOutcome {
    let id = history.invoke(client.clientID, op)
    let r = client.perform(op, timeout: timeout)
    let outcome: OperationOutcome
    if case .ok(let result) = r.outcome {
        outcome = .ok(result)
    } else {
        outcome = op.isRead ? .fail : .unknown
    }
    history.complete(id, outcome)
    return outcome
}

private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }
    func set() {
        lock.lock()
        stopped = true
        lock.unlock()
    }
}

@Suite("Durability of real raftd processes", .serialized)
struct RaftdDurabilityTests {
    /// 5 raftd processes with fsync on, 4 clients doing puts and gets for 20 s while every second a
    /// random node is SIGKILLed and restarted. Afterwards every acknowledged write is readable,
    /// the nodes converge, and the whole history is linearizable.
    @Test(.timeLimit(.minutes(3)))
    func acknowledgedWritesSurviveRandomKills() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let cluster = try UDPCluster(options: UDPClusterOptions(nodes: 5, seed: 2024, fsync: true, raftdPath: binary))
        defer {
            cluster.shutdown()
            for pid in cluster.allPIDs { #expect(!ProcessSupervisor.isAlive(pid), "raftd pid \(pid) outlived the test") }
        }
        func logs() -> String {
            cluster.nodeIDs.map { id in
                let text = cluster.logPath(of: id).flatMap { FileManager.default.contents(atPath: $0) }
                    .map { String(decoding: $0, as: UTF8.self) } ?? ""
                return "--- node \(id)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
            }.joined(separator: "\n")
        }
        #expect(cluster.wait(until: { cluster.leader != nil }, within: 10_000_000_000), "no leader within 10s")

        let history = SharedHistory()
        let stop = StopFlag()
        let keys = (0..<12).map { "k\($0)" }
        let workers = 4
        let group = DispatchGroup()
        var clients: [UDPClient] = []
        for w in 0..<workers {
            clients.append(try UDPClient(nodes: cluster.addresses, clusterKey: cluster.clusterKey, clientID: ClientID(100 + w)))
        }
        defer { for c in clients { c.close() } }
        for w in 0..<workers {
            let client = clients[w]
            group.enter()
            Thread {
                var rng = SystemRandomNumberGenerator()
                var n = 0
                while !stop.isSet {
                    n += 1
                    let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                    let op: KVOperation = Int.random(in: 0..<10, using: &rng) < 7
                        ? .put(key: key, value: "w\(w)-\(n)") : .get(key: key)
                    record(op, client, history, timeout: .seconds(2))
                }
                group.leave()
            }.start()
        }

        // Every second, SIGKILL a random node and restart it on its data directory.
        var kills = 0
        let clock = ContinuousClock()
        let begin = clock.now
        var rng = SystemRandomNumberGenerator()
        while clock.now - begin < .seconds(20) {
            let tick = clock.now
            let victim = cluster.nodeIDs[Int.random(in: 0..<cluster.nodeIDs.count, using: &rng)]
            try cluster.crash(victim)
            kills += 1
            usleep(UInt32.random(in: 50_000...300_000, using: &rng))
            do {
                try cluster.restart(victim)
            } catch {
                Issue.record("\(error.message)\n\(logs())")
                break
            }
            let spent = clock.now - tick
            if spent < .seconds(1) { usleep(UInt32((Double((.seconds(1) - spent).components.attoseconds) / 1e12))) }
        }
        stop.set()
        #expect(group.wait(timeout: .now() + 30) == .success, "client threads did not stop")

        // Heal (nothing is cut, but be sure) and let every node catch up.
        try cluster.updateNetwork { $0.heal() }
        let converged = cluster.wait(until: { cluster.isConverged }, within: 15_000_000_000)
        #expect(converged, "not converged 15s after the last restart\n\(logs())")

        // Read every key back through a fresh client, into the same history.
        let reader = try UDPClient(nodes: cluster.addresses, clusterKey: cluster.clusterKey, clientID: 999)
        defer { reader.close() }
        var finals: [String: String?] = [:]
        for key in keys {
            let outcome = record(.get(key: key), reader, history, timeout: .seconds(5))
            guard case .ok(.value(let v)) = outcome else {
                Issue.record("final get \(key) failed\n\(logs())")
                continue
            }
            finals[key] = v
        }

        let h = history.snapshot
        let puts = h.operations.filter { !$0.op.isRead }
        let acked = puts.filter { $0.outcome == .ok(.ok) }
        let unknown = puts.filter { $0.outcome == .unknown }
        print("durability: \(kills) kills in 20s, \(h.operations.count) operations, \(acked.count) acknowledged puts, "
              + "\(unknown.count) unknown, \(h.operations.filter { $0.op.isRead && $0.outcome != .fail }.count) answered gets")
        #expect(kills >= 10, "only \(kills) kills in 20s")
        #expect(acked.count >= 50, "too few acknowledged puts (\(acked.count)) for the test to mean much")

        // Every acknowledged write is readable: the final value of each key is that of its last
        // acknowledged put, of an acknowledged put not finished before that one began, or of a put
        // whose outcome is unknown (it may have applied at any time after it was sent).
        for key in keys {
            guard let final = finals[key] else { continue }
            let onKey = puts.filter { if case .put(let k, _) = $0.op { return k == key } else { return false } }
            guard let last = onKey.filter({ $0.outcome == .ok(.ok) }).max(by: { $0.complete! < $1.complete! }) else {
                continue
            }
            let allowed = onKey.filter { p in
                p.id == last.id || p.outcome == .unknown || (p.outcome == .ok(.ok) && p.complete! >= last.invoke)
            }.compactMap { p -> String? in if case .put(_, let v) = p.op { return v } else { return nil } }
            #expect(final.map { allowed.contains($0) } ?? false,
                    "key \(key): read \(final ?? "none"), but the last acknowledged put wrote \(last.op.sourceDescription)")
            // And every running node applied the same.
            for id in cluster.nodeIDs {
                if let v = cluster.appliedValue(key, on: id) {
                    #expect(v == final, "node \(id) has \(key) = \(v ?? "none"), the cluster answered \(final ?? "none")")
                }
            }
        }

        switch LinearizabilityChecker().check(h) {
        case .linearizable:
            break
        case .violation(let key, let ops):
            Issue.record("not linearizable on key \(key):\n\(Check.describe(ops))")
        case .tooComplex(let key):
            Issue.record("history of key \(key) too complex to check")
        }
    }

    /// Nothing a cluster started survives it: neither through `shutdown()` nor when the cluster is
    /// simply dropped, and whatever state its nodes were in (running, killed and restarted, paused).
    @Test func noRaftdOutlivesItsCluster() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        var pids: [pid_t] = []
        var folders: [String] = []
        do {
            let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
            try c.crash(2)
            try c.restart(2)
            try c.pause(3)
            pids += c.allPIDs
            folders.append(c.runFolder!)
            #expect(pids.allSatisfy { ProcessSupervisor.livePIDs.contains($0) || !ProcessSupervisor.isAlive($0) })
            c.shutdown()
        }
        do {
            let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary))
            try c.pause(1)
            pids += c.allPIDs
            folders.append(c.runFolder!)
            // Dropped without shutdown: deinit ends the processes.
        }
        #expect(pids.count == 7)
        for pid in pids {
            #expect(!ProcessSupervisor.isAlive(pid), "raftd pid \(pid) is still alive")
            #expect(!ProcessSupervisor.livePIDs.contains(pid))
        }
        for f in folders { #expect(!FileManager.default.fileExists(atPath: f), "run folder \(f) left behind") }
    }

    /// The scenario view of a UDP cluster: cuts go through control messages and heal lifts them.
    @Test func partitionAndHealThroughControlMessages() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 5, fsync: false, raftdPath: binary))
        defer { c.shutdown() }
        #expect(c.wait(until: { c.leader != nil }, within: 10_000_000_000))
        #expect(c.perform(.put(key: "x", value: "1"), via: nil, timeout: 5_000_000_000).succeeded)
        try c.updateNetwork { $0.partition([[1, 2], [3, 4, 5]], allNodes: c.nodeIDs) }
        #expect(c.wait(until: { c.leader.map { [3, 4, 5].contains($0) } ?? false }, within: 5_000_000_000))
        #expect(c.perform(.put(key: "x", value: "2"), via: nil, timeout: 5_000_000_000).succeeded)
        #expect(!c.perform(.put(key: "y", value: "1"), via: 1, timeout: 500_000_000).succeeded)
        #expect(c.status(of: 1).group == 1 && c.status(of: 4).group == 2)
        try c.updateNetwork { $0.heal() }
        #expect(c.wait(until: { c.isConverged }, within: 5_000_000_000))
        #expect(c.appliedValue("x", on: 1) == .some("2"))
        #expect(c.status(of: 1).group == nil)
        if case .linearizable = LinearizabilityChecker().check(c.history) {} else {
            Issue.record("history not linearizable")
        }
    }
}

private extension KVOperation {
    var sourceDescription: String {
        switch self {
        case .put(let k, let v): return "\(k)=\(v)"
        case .get(let k): return "get \(k)"
        case .delete(let k): return "delete \(k)"
        case .cas(let k, let from, let to): return "cas \(k) \(from) \(to)"
        case .append(let k, let v): return "\(k)+=\(v)"
        }
    }
}
