import Foundation
import Testing
import ClusterModel
import NodeTestSupport
import Harness
import RaftCore
import Check
import Node

/// The rules derived from the network model, and clusters in network namespaces.
@Suite("Kernel faults and network namespaces", .serialized)
struct NetnsClusterTests {
    @Test func linkRulesFollowTheModel() {
        var model = NetworkModel(latency: 0...0)
        model.partition([[1, 2], [3]], allNodes: [1, 2, 3])
        model.block(Link(1, 2))
        model.setFaults(loss: 0.25, duplicate: 0.1, delay: nil, on: [Link(2, 1)])
        let rules = LinkRules(network: model, nodes: [1, 2, 3])
        #expect(rules.blocked == [Link(1, 2), Link(1, 3), Link(3, 1), Link(2, 3), Link(3, 2)])
        #expect(rules.transportFaults(of: 1).cut == [3])
        #expect(rules.transportFaults(of: 1).blockedOutgoing == [2])
        #expect(rules.transportFaults(of: 2).cut == [3] && rules.transportFaults(of: 2).blockedOutgoing.isEmpty)
        #expect(rules.transportFaults(of: 2).links[1] == Node.LinkFaults(lossPPM: 250_000, duplicatePPM: 100_000))
        let script = rules.nftablesScript(address: { "10.0.0.\($0)" }, port: { "p\($0)" })
        #expect(script.hasPrefix("table netdev raftsh\ndelete table netdev raftsh\ntable netdev raftsh {\n"))
        #expect(script.contains("type filter hook ingress device \"p1\" priority 0; policy accept;"))
        #expect(script.contains("ip saddr 10.0.0.1 ip daddr 10.0.0.2 drop\n"))
        #expect(script.contains("ip saddr 10.0.0.3 ip daddr 10.0.0.1 drop\n"))
        #expect(!script.contains("ip saddr 10.0.0.2 ip daddr 10.0.0.1 drop\n"))
        #expect(script.contains("ip saddr 10.0.0.2 ip daddr 10.0.0.1 numgen random mod 1000000 < 250000 drop\n"))
        #expect(script.contains("ip saddr 10.0.0.2 ip daddr 10.0.0.1 numgen random mod 1000000 < 100000 dup to \"p1\"\n"))
        #expect(!rules.hasDelay)

        model.heal()
        model.setFaults(loss: nil, duplicate: nil, delay: 10_000_000...30_000_000, on: [Link(3, 2)])
        let delayed = LinkRules(network: model, nodes: [1, 2, 3])
        #expect(delayed.hasDelay)
        #expect(delayed.netemDelays(to: 2) == [3: 10_000_000...30_000_000])
        #expect(delayed.netemDelays(to: 3).isEmpty)
        #expect(!delayed.nftablesScript(address: { "10.0.0.\($0)" }, port: { "p\($0)" }).contains("drop"))
    }

    @Test(.enabled(if: NamespaceNetwork.unavailableReason() != nil, "only where namespaces cannot be made"))
    func withoutRootOrToolsTheErrorSaysWhy() throws {
        let why = try #require(NamespaceNetwork.unavailableReason())
        #expect(throws: ClusterError(why)) {
            try UDPCluster(options: UDPClusterOptions(nodes: 3, networkNamespaces: true))
        }
    }

    /// Three nodes, each in its own namespace: the kernel cuts the leader off (the node's transport
    /// knows nothing of it), the majority elects another, the old one cannot serve a read; the
    /// rules are in the bridge namespace; loss and duplication too; and every namespace is gone
    /// after shutdown.
    @Test(.timeLimit(.minutes(1)), .enabled(if: NamespaceNetwork.unavailableReason() == nil, "needs root, ip, nft and tc"))
    func partitionLossAndCleanupInNamespaces() throws {
        let binary = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let c = try UDPCluster(options: UDPClusterOptions(nodes: 3, fsync: false, raftdPath: binary, networkNamespaces: true))
        let net = try #require(c.namespaceNetwork)
        let names = net.namespaces
        defer {
            c.shutdown()
            #expect(NamespaceNetwork.existing(ownedBy: getpid()).filter { names.contains($0) }.isEmpty)
        }
        #expect(Set(NamespaceNetwork.existing(ownedBy: getpid())).isSuperset(of: names))
        #expect(c.addresses[2] == "10.77.0.2:7000")
        #expect(c.wait(until: { c.leader != nil }, within: 10_000_000_000))
        #expect(c.perform(.put(key: "x", value: "1"), via: nil, timeout: 5_000_000_000).succeeded)
        let old = try #require(c.leader)
        let rest = c.nodeIDs.filter { $0 != old }
        try c.updateNetwork { $0.partition([[old], rest], allNodes: c.nodeIDs) }
        let table = try nftTable(in: net.bridgeNamespace)
        #expect(table.contains("ip saddr \(NamespaceNetwork.address(of: old)) ip daddr \(NamespaceNetwork.address(of: rest[0])) drop"), "\(table)")
        #expect(c.wait(until: { c.leader.map(rest.contains) ?? false }, within: 5_000_000_000))
        #expect(c.perform(.put(key: "x", value: "2"), via: nil, timeout: 5_000_000_000).succeeded)
        #expect(!c.perform(.get(key: "x"), via: old, timeout: 500_000_000).succeeded)
        try c.updateNetwork { $0.heal() }
        try c.updateNetwork { $0.setFaults(loss: 0.3, duplicate: 0.3, delay: nil, on: nil) }
        #expect(try nftTable(in: net.bridgeNamespace).contains("numgen random mod 1000000 < 300000"))
        for i in 0..<5 { #expect(c.perform(.put(key: "k\(i)", value: "v"), via: nil, timeout: 5_000_000_000).succeeded) }
        try c.updateNetwork { $0.heal() }
        #expect(c.wait(until: { c.isConverged }, within: 5_000_000_000))
        #expect(c.appliedValue("x", on: old) == .some("2"))
        #expect(c.violation == nil)
        #expect(c.messagesSent > 0)
        // Delay needs netem; where the kernel lacks it the line fails and the model stays as it was.
        do {
            try c.updateNetwork { $0.setFaults(loss: nil, duplicate: nil, delay: 1_000_000...2_000_000, on: nil) }
        } catch {
            #expect(error.message.contains("netem"), "\(error.message)")
            #expect(c.network.faults.extraDelay == nil)
        }
    }

    private func nftTable(in namespace: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", namespace, "nft", "list", "table", "netdev", "raftsh"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text
    }
}
