import RaftCore
import KV
import ClusterModel

/// The table `log NODE` prints: index, term and command of each entry of a node's log, starting
/// with the snapshot the log follows, if any.
enum LogTable {
    /// Node `id`'s log, or "node N is down".
    static func render(_ c: any StateInspection, _ id: NodeID) -> String {
        guard let entries = c.logEntries(of: id) else { return "node \(id) is down" }
        let st = c.status(of: id)
        var rows = [["index", "term", "entry", ""]]
        if let s = st.snapshotIndex, s > 0 { rows.append([String(s), "-", "snapshot (entries 1..\(s) compacted)", "committed"]) }
        for e in entries {
            var text: String
            switch e.kind {
            case .noop: text = "no-op"
            case .config: text = "config"
            case .normal:
                if let cmd = try? Command.decode(e.data) {
                    text = "\(cmd.op.sourceText)  (client \(cmd.client) #\(cmd.seq))"
                } else {
                    text = "<\(e.data.count) bytes>"
                }
            }
            let mark = e.index <= st.commit ? "committed" : ""
            rows.append([String(e.index), String(e.term), text, mark])
        }
        return "log of node \(id) (\(entries.count) entries, commit \(st.commit)):\n" + TextTable.render(rows)
    }
}
