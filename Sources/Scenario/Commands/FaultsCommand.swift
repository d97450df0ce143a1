import ClusterModel

/// `faults`: the cuts and link faults in force, one line each, as the commands that set them
/// say it: partition groups, isolated nodes, one-way blocks, then loss, duplication and delay on
/// every link or on particular links.
public struct FaultsCommand: BareCommand {
    /// The row of `faults`.
    public static let specs = [
        CommandSpec(
            name: "faults",
            synopsis: "faults",
            summary: "Print the faults in force: partition groups, isolated nodes, one-way blocks, drop, duplicate and delay on every link or on given links, then paused and crashed nodes.",
            example: "faults",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// A `faults` line.
    public init() {}

    /// Prints the fault model of the cluster's network (an error on clusters without one), then the
    /// nodes paused or down.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("faults")
        let lines = Self.lines(of: c.network) + Self.nodeLines(of: c)
        x.output((lines.isEmpty ? "no cuts, no link faults" : lines.joined(separator: "\n")) + x.stamp())
    }

    /// `paused 3`, `down 1,2`: the nodes not up and running (none: empty).
    static func nodeLines(of c: any Cluster) -> [String] {
        var lines: [String] = []
        for state in [NodeState.paused, .down] {
            // A removed node is stopped on purpose: not a fault (`status` shows it as removed).
            let ids = c.nodeIDs.filter { let st = c.status(of: $0); return st.state == state && !st.removed }
            if !ids.isEmpty { lines.append("\(state.rawValue) " + ids.map(String.init).joined(separator: ",")) }
        }
        return lines
    }

    /// The cuts, then each kind of link fault on every link and on particular links (links with
    /// the same value share a line); empty when the network is whole.
    static func lines(of network: NetworkModel) -> [String] {
        var lines: [String] = []
        if !network.groups.isEmpty {
            lines.append("partition " + network.groups.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " | "))
        }
        if !network.isolated.isEmpty {
            lines.append("isolated " + network.isolated.sorted().map(String.init).joined(separator: ","))
        }
        if !network.blocked.isEmpty {
            lines.append("blocked " + FaultText.links(network.blocked.sorted()))
        }
        let kinds: [(LinkFaults) -> String?] = [
            { $0.loss > 0 ? "drop " + percent($0.loss) : nil },
            { $0.duplicate > 0 ? "duplicate " + percent($0.duplicate) : nil },
            { $0.extraDelay.map { "delay " + FaultText.delay($0) } },
        ]
        for text in kinds {
            if let all = text(network.faults) { lines.append(all + " on all links") }
            var onLinks: [(text: String, links: [ClusterModel.Link])] = []
            for link in network.linkFaults.keys.sorted() {
                guard let value = text(network.linkFaults[link]!) else { continue }
                if let i = onLinks.firstIndex(where: { $0.text == value }) {
                    onLinks[i].links.append(link)
                } else {
                    onLinks.append((value, [link]))
                }
            }
            lines += onLinks.map { $0.text + " on " + FaultText.links($0.links) }
        }
        return lines
    }

    /// A probability (0...1) as the percentage the commands take, rounded to a millionth of a
    /// percent first so that `0.3` shows as `30%`.
    static func percent(_ fraction: Double) -> String {
        FaultText.percent((fraction * 100 * 1_000_000).rounded() / 1_000_000)
    }
}
