import RaftCore
import ClusterModel

// Lines that change nodes one by one (`fail`, `restart`, `pause`, `resume`, `isolate`), and say so
// when a node is already as the line would leave it.

extension ExecutionContext {
    /// Changes each node `sel` names, printing one line per node changed. A node that `skip`
    /// explains (it returns why nothing is done, e.g. "node 2 is already down") is reported when the
    /// line named it (an id, `leader`, `follower`, `$VAR`) and passed over in silence when only a
    /// group word (`all`, `followers`, `rest`) took it in; when no node changed at all and nothing
    /// was reported, `noneChanged` is printed instead.
    func changeEach(_ sel: NodeSelector, skip: (NodeID) -> String?, noneChanged: String,
                    change: (NodeID) throws -> String) throws {
        let ids = try resolve(sel)
        let groupOnly = sel.parts.allSatisfy { $0 == .all || $0 == .followers || $0 == .rest }
        var said = false
        for id in ids {
            if let why = skip(id) {
                if !groupOnly {
                    output(why + stamp())
                    said = true
                }
                continue
            }
            output(try change(id) + stamp())
            said = true
        }
        if !said { output(noneChanged + stamp()) }
    }
}
