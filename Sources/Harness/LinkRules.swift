import RaftCore
import ClusterModel
import Node

/// What the network model asks of every server-to-server link, in the units real networks take:
/// which links drop everything (cuts and one-way blocks), and each link's loss and duplication
/// (parts per million) and extra delay (nanoseconds), by the model's one merge rule.
///
/// The one derivation behind both ways a UDP cluster makes faults real: each node's own transport
/// (`transportFaults(of:)`, sent as control messages) and, on a netns cluster, the kernel
/// (`nftablesScript` for cuts, loss and duplication; `netemDelays(to:)` for delay). Client traffic
/// is never faulted by either, only traffic between servers.
public struct LinkRules: Sendable, Hashable {
    /// The member ids.
    public let nodes: [NodeID]
    /// Links on which every message is dropped.
    public private(set) var blocked: Set<Link> = []
    /// Loss, duplication and delay per link (only links that have some).
    public private(set) var faults: [Link: Node.LinkFaults] = [:]

    /// The rules `network` implies for the links between `nodes`.
    public init(network: NetworkModel, nodes: [NodeID]) {
        self.nodes = nodes
        for from in nodes {
            for to in nodes where to != from {
                let link = Link(from, to)
                if !network.connected(from, to) { blocked.insert(link) }
                let f = LinkRules.ppm(network.faults(on: link))
                if !f.isNone { faults[link] = f }
            }
        }
    }

    /// `f` in the units of `Node.LinkFaults`.
    static func ppm(_ f: ClusterModel.LinkFaults) -> Node.LinkFaults {
        func ppm(_ p: Double) -> UInt32 { UInt32((max(0, min(1, p)) * 1_000_000).rounded()) }
        return Node.LinkFaults(lossPPM: ppm(f.loss), duplicatePPM: ppm(f.duplicate), delayNanos: f.extraDelay ?? 0...0)
    }

    /// Whether some link has an extra delay (which only `tc netem` can make in the kernel).
    public var hasDelay: Bool { faults.values.contains { $0.delayNanos.upperBound > 0 } }

    // MARK: - Each node's transport

    /// What node `id`'s transport applies: peers it cannot reach either way are cut, peers it only
    /// cannot send to are blocked, and each outgoing link gets its faults.
    public func transportFaults(of id: NodeID) -> TransportFaults {
        var t = TransportFaults()
        for other in nodes where other != id {
            let out = blocked.contains(Link(id, other)), back = blocked.contains(Link(other, id))
            if out && back {
                t.cut.insert(other)
            } else if out {
                t.blockedOutgoing.insert(other)
            }
            if let f = faults[Link(id, other)] { t.links[other] = f }
        }
        return t
    }

    // MARK: - The kernel (netns clusters)

    /// One nftables transaction (for `nft -f -`, run in the bridge namespace) that replaces table
    /// `netdev raftsh` with one chain per node, hooked at the ingress of the bridge port `port(id)`
    /// through which that node's packets enter: every packet from the node's address to a blocked
    /// peer is dropped; to a lossy peer, dropped with the link's probability (`numgen random`); to a
    /// duplicating peer, copied straight out of that peer's port with the link's probability.
    /// ARP and packets to the harness's address are never matched.
    public func nftablesScript(address: (NodeID) -> String, port: (NodeID) -> String) -> String {
        var lines = ["table netdev raftsh", "delete table netdev raftsh", "table netdev raftsh {"]
        for from in nodes {
            lines.append("  chain from\(from) {")
            lines.append("    type filter hook ingress device \"\(port(from))\" priority 0; policy accept;")
            for to in nodes where to != from {
                let match = "ip saddr \(address(from)) ip daddr \(address(to))"
                let link = Link(from, to)
                if blocked.contains(link) {
                    lines.append("    \(match) drop")
                    continue
                }
                guard let f = faults[link] else { continue }
                if f.lossPPM >= 1_000_000 {
                    lines.append("    \(match) drop")
                    continue
                }
                if f.lossPPM > 0 {
                    lines.append("    \(match) numgen random mod 1000000 < \(f.lossPPM) drop")
                }
                if f.duplicatePPM > 0 {
                    lines.append("    \(match) numgen random mod 1000000 < \(min(f.duplicatePPM, 1_000_000)) dup to \"\(port(to))\"")
                }
            }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The extra delay of each link into `to` that has one, by sender (for `tc netem` on the
    /// egress of `to`'s bridge port).
    public func netemDelays(to: NodeID) -> [NodeID: ClosedRange<UInt64>] {
        var out: [NodeID: ClosedRange<UInt64>] = [:]
        for from in nodes where from != to {
            if let f = faults[Link(from, to)], f.delayNanos.upperBound > 0, !blocked.contains(Link(from, to)) {
                out[from] = f.delayNanos
            }
        }
        return out
    }
}
