import RaftCore
import ClusterModel

// Resolving node selectors to node ids when a line runs.

extension ExecutionContext {
    /// Resolve one selector on a line that names nothing else.
    func resolve(_ sel: NodeSelector) throws -> [NodeID] {
        try resolveLine([sel])[0]
    }

    /// Resolve a selector where one node is needed (`via`, `log`, `leader == NODE`): a variable
    /// that holds several nodes fails with "needs one node".
    func resolveOne(_ sel: NodeSelector, for what: String) throws -> NodeID {
        let ids = try resolve(sel)
        guard ids.count == 1 else {
            let held = ids.map(String.init).joined(separator: ",")
            let name = if case .variable(let v) = sel { "$\(v) holds \(held)" } else { "'\(sel.sourceText)' names \(held)" }
            throw failure("`\(what)` needs one node; \(name)")
        }
        return ids[0]
    }

    /// Resolve a link to the pairs of distinct nodes it names; fails when there is none.
    func resolveLink(_ link: Link) throws -> [(NodeID, NodeID)] {
        let r = try resolveLine([link.from, link.to])
        var pairs: [(NodeID, NodeID)] = []
        for a in r[0] { for b in r[1] where a != b { pairs.append((a, b)) } }
        if pairs.isEmpty { throw failure("the link names no pair of distinct nodes") }
        return pairs
    }

    /// Resolve the selectors of one line together: each `follower` is a different follower not named
    /// elsewhere on the line; `rest` is every node not named elsewhere on the line.
    func resolveLine(_ sels: [NodeSelector]) throws -> [[NodeID]] {
        let c = try cluster()
        var named = Set<NodeID>()
        var out: [[NodeID]?] = Array(repeating: nil, count: sels.count)
        // Everything but `follower` and `rest` first, so those can avoid what is named.
        func direct(_ sel: NodeSelector) throws -> [NodeID]? {
            switch sel {
            case .ids(let ids): return ids.map { NodeID($0) }
            case .leader:
                guard let l = try inspection("leader").leader else { throw failure("no leader") }
                return [l]
            case .followers:
                let l = try inspection("followers").leader
                return c.nodeIDs.filter { $0 != l && c.status(of: $0).state == .up }
            case .all: return c.nodeIDs
            case .variable(let name):
                guard let v = executor.variables[name] else { throw failure("unknown variable $\(name)") }
                guard case .nodes(let ids) = v else { throw failure("$\(name) is a number, not nodes") }
                return ids
            case .follower, .rest: return nil
            case .union(let parts):
                var ids: [NodeID] = []
                for p in parts { if let r = try direct(p) { ids += r } }
                return ids
            }
        }
        for (i, sel) in sels.enumerated() {
            if let r = try direct(sel) {
                out[i] = r
                named.formUnion(r)
            }
        }
        func pickFollower() throws -> NodeID {
            let l = try inspection("follower").leader
            let candidates = c.nodeIDs.filter { $0 != l && !named.contains($0) && c.status(of: $0).state == .up }
            guard !candidates.isEmpty else { throw failure("no follower left to pick") }
            let f = candidates[c.choose(candidates.count)]
            named.insert(f)
            return f
        }
        func withFollowers(_ sel: NodeSelector) throws -> [NodeID]? {
            switch sel {
            case .follower: return [try pickFollower()]
            case .union(let parts):
                guard parts.contains(where: { if case .follower = $0 { return true }; return false }) else { return nil }
                var ids: [NodeID] = []
                for p in parts {
                    if case .follower = p { ids.append(try pickFollower()) } else if let r = try direct(p) { ids += r }
                }
                return ids
            default: return nil
            }
        }
        for (i, sel) in sels.enumerated() {
            if let r = try withFollowers(sel) {
                out[i] = r
                named.formUnion(r)
            }
        }
        let rest = c.nodeIDs.filter { !named.contains($0) }
        for (i, sel) in sels.enumerated() where out[i] == nil {
            switch sel {
            case .rest: out[i] = rest
            case .union(let parts):
                var ids = try direct(sel) ?? []
                if parts.contains(.rest) { ids += rest }
                out[i] = ids
            default: out[i] = []
            }
        }
        var result: [[NodeID]] = []
        for r in out {
            var seen = Set<NodeID>()
            let ids = r!.filter { seen.insert($0).inserted }
            for id in ids where !c.nodeIDs.contains(id) {
                throw failure("node \(id) is not in this \(c.nodeIDs.count)-node cluster")
            }
            result.append(ids)
        }
        return result
    }

    /// The number an `N|$VAR` operand stands for; a variable that holds no number is an error.
    func value(of operand: IntOperand) throws -> Int {
        switch operand {
        case .literal(let n): return n
        case .variable(let name):
            guard case .number(let n)? = executor.variables[name] else { throw failure("$\(name) is not a number") }
            return n
        }
    }
}
