import RaftCore
import Wire
import Check
import ClusterModel

/// The table `status` prints: node, role, term, commit, applied, last index, up/down, partition
/// group, first log index and snapshot index (`-` where unknown), and, where the cluster can read it,
/// each node's view of the configuration (voters, then `+learner`; a column when the nodes disagree,
/// one line when they agree); then the leader when the cluster can tell.
enum StatusTable {
    /// The table of every node of `c`, colored for a terminal when `color` is set.
    static func render(_ c: any Cluster, color: Bool) -> String {
        guard c is any StateInspection else { return processTable(c, color: color) }
        let statuses = c.nodeIDs.map(c.status(of:))
        // Each node's view of the configuration: one line under the table when the running nodes
        // agree, else a column (the table stays within 80 columns in the usual case).
        let views = statuses.compactMap(\.membership)
        let showConfig = !views.isEmpty && views.contains { $0 != views[0] }
        let configLine = views.isEmpty || showConfig ? "" : "\nconfig " + configText(views[0]) + " (every running node)"
        var rows = [["node", "role", "term", "commit", "applied", "last", "state", "group", "first", "snapshot"]
                    + (showConfig ? ["config"] : [])]
        for st in statuses {
            // A paused node plays no role while frozen: its role shows in parentheses.
            let role: String = st.role.map { st.state == .paused ? "(\($0.rawValue))" : $0.rawValue } ?? "-"
            let group: String = st.group.map { $0 == 0 ? "isolated" : String($0) } ?? "-"
            let state: String = st.removed ? "removed" : st.state.rawValue
            let applied: String = st.state == .down ? "-" : String(st.applied)
            let first: String = st.firstIndex.map(String.init) ?? "-"
            let snapshot: String = st.snapshotIndex.map(String.init) ?? "-"
            var row: [String] = [String(st.id), role, String(st.term), String(st.commit)]
            row += [applied, String(st.lastIndex), state, group, first, snapshot]
            if showConfig { row.append(st.membership.map(configText) ?? "-") }
            rows.append(row)
        }
        var leaderText = ""
        if let c = c as? any StateInspection {
            leaderText = "\n" + (c.leader.map { "leader \($0), term \(c.status(of: $0).term)" } ?? "no leader")
        }
        // The faults in force, as `faults` prints them, on one line.
        if let n = c as? any NetworkControl {
            let faults = FaultsCommand.lines(of: n.network) + FaultsCommand.nodeLines(of: c)
            if !faults.isEmpty { leaderText += "\nfaults: " + faults.joined(separator: "; ") }
        }
        let painter: ((String, Int) -> String?)? = color ? { paint($0, $1) } : nil
        return TextTable.render(rows, paint: painter) + leaderText + configLine
    }

    /// `1,2,3`, `1,2,3 +6` (learner 6), `?` (a joining node that knows no configuration yet).
    static func configText(_ m: Membership) -> String {
        if m.isEmpty { return "?" }
        return m.voters.map(String.init).joined(separator: ",")
            + m.learners.map { " +\($0)" }.joined()
    }

    /// The table of a cluster that cannot tell its nodes' Raft state (an exec cluster): what the
    /// cluster knows — up, down or paused, partition group, and the traffic it counted — with `-`
    /// for role and term.
    static func processTable(_ c: any Cluster, color: Bool) -> String {
        var rows = [["node", "role", "term", "state", "group", "sent", "received", "dropped", "malformed"]]
        for id in c.nodeIDs {
            let st = c.status(of: id)
            let n = st.counters
            rows.append([String(id), "-", "-", st.state.rawValue, st.group.map { $0 == 0 ? "isolated" : String($0) } ?? "-",
                         n.map { String($0.sent) } ?? "-", n.map { String($0.received) } ?? "-",
                         n.map { String($0.dropped) } ?? "-", n.map { String($0.malformed) } ?? "-"])
        }
        let painter: ((String, Int) -> String?)? = color ? { cell, col in
            switch (col, cell) {
            case (3, "down"): return "\u{1B}[31m"
            case (3, "paused"): return "\u{1B}[35m"
            case (0, _): return "\u{1B}[1m"
            default: return nil
            }
        } : nil
        return TextTable.render(rows, paint: painter) + "\nrole and term: not available on \(c.kind.rawValue) clusters"
    }

    /// `status --json`: `time_ns`, `time`, `leader` (null when none), `leader_term`, `nodes` (each
    /// `id`, `state`, `role` (null when down), `term`, `commit`, `applied`, `last_index`, `group`
    /// (null: no partition; 0: isolated)) and `faults` (the lines `faults` prints).
    static func json(_ c: any Cluster) -> JSONValue {
        let leader = (c as? any StateInspection)?.leader
        let nodes: [JSONValue] = c.nodeIDs.map { id in
            let st = c.status(of: id)
            return .fields([
                ("id", .count(id)), ("state", .string(st.state.rawValue)), ("role", .text(st.role?.rawValue)),
                ("term", .count(st.term)), ("commit", .count(st.commit)),
                ("applied", st.state == .down ? .null : .count(st.applied)), ("last_index", .count(st.lastIndex)),
                ("group", st.group.map { .int(Int64($0)) } ?? .null),
                ("first_index", .count(st.firstIndex)), ("snapshot_index", .count(st.snapshotIndex)),
                ("voters", st.membership.map { .array($0.voters.map { .count($0) }) } ?? .null),
                ("learners", st.membership.map { .array($0.learners.map { .count($0) }) } ?? .null),
                ("removed", .bool(st.removed)),
            ])
        }
        var faults: [String] = []
        if let n = c as? any NetworkControl { faults = FaultsCommand.lines(of: n.network) + FaultsCommand.nodeLines(of: c) }
        return .fields([
            ("time_ns", .count(c.now)), ("time", .string(TimeFormat.instant(c.now))),
            ("leader", .count(leader)), ("leader_term", .count(leader.map { c.status(of: $0).term })),
            ("nodes", .array(nodes)), ("faults", .array(faults.map { .string($0) })),
        ])
    }

    /// ANSI colors of the status table's cells: leaders, candidates, down and paused nodes, ids.
    static func paint(_ cell: String, _ col: Int) -> String? {
        switch (col, cell) {
        case (1, "leader"): return "\u{1B}[1;32m"
        case (1, "candidate"), (1, "precandidate"): return "\u{1B}[33m"
        case (6, "down"): return "\u{1B}[31m"
        case (6, "paused"): return "\u{1B}[35m"
        case (_, _) where col == 0: return "\u{1B}[1m"
        default: return nil
        }
    }
}
