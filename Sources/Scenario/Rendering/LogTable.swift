import Wire
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
                    text = "\(cmd.op.displayText)  (client \(cmd.client) #\(cmd.seq))"
                } else {
                    text = "<\(e.data.count) bytes>"
                }
            }
            let mark = e.index <= st.commit ? "committed" : ""
            rows.append([String(e.index), String(e.term), text, mark])
        }
        return "log of node \(id) (\(entries.count) entries, commit \(st.commit)):\n" + TextTable.render(rows)
    }

    /// `log N --json`: `node`, `state`, `commit`, and `entries` (null when the node is down), each
    /// `index`, `term`, `kind` (`command`, `no-op`, `config`), `committed`, and for commands
    /// `client`, `seq` and the operation (`op`, `key`, `value`).
    static func json(_ c: any StateInspection, _ id: NodeID) -> JSONValue {
        let st = c.status(of: id)
        guard let entries = c.logEntries(of: id) else {
            return .fields([("node", .count(id)), ("state", .string(st.state.rawValue)), ("commit", .count(st.commit)), ("entries", .null)])
        }
        let items: [JSONValue] = entries.map { e in
            var fields: [(String, JSONValue)] = [("index", .count(e.index)), ("term", .count(e.term))]
            switch e.kind {
            case .noop: fields.append(("kind", .string("no-op")))
            case .config: fields.append(("kind", .string("config")))
            case .normal:
                fields.append(("kind", .string("command")))
                if let cmd = try? Command.decode(e.data) {
                    fields += [("client", .count(cmd.client)), ("seq", .count(cmd.seq))] + OperationJSON.fields(cmd.op)
                }
            }
            fields.append(("committed", .bool(e.index <= st.commit)))
            return .fields(fields)
        }
        return .fields([("node", .count(id)), ("state", .string(st.state.rawValue)), ("commit", .count(st.commit)),
                        ("entries", .array(items))])
    }
}
