import RaftCore
import KV
import Check
import ClusterModel
import Sim

extension Executor {
    /// Whether evaluating `cond` runs client operations (and so cannot be checked inside the event loop).
    func runsOperations(_ cond: Condition) -> Bool {
        switch cond {
        case .get, .getFails, .putFails, .linearizable: return true
        default: return false
        }
    }

    /// Wait for `cond`: state conditions are checked after every step; conditions that run client
    /// operations are polled every 50ms of cluster time.
    func waitUntil(_ cond: Condition, within limit: UInt64, _ s: Statement) throws -> Bool {
        let c = try currentCluster()
        let deadline = c.now + limit
        if !runsOperations(cond) {
            var thrown: Error? = nil
            let ok = c.wait(until: {
                do { return try self.evaluate(cond, s).0 } catch { thrown = error; return true }
            }, within: limit)
            if let thrown { throw thrown }
            return ok && (c as? any InvariantChecking)?.violation == nil
        }
        while true {
            if try evaluate(cond, s).0 { return true }
            if c.now >= deadline || (c as? any InvariantChecking)?.violation != nil || interruptCheck?() == true { return false }
            c.wait(min(50_000_000, deadline - c.now))
        }
    }

    /// What an expectation wanted, for failure messages.
    func expectedText(_ cond: Condition) -> String {
        switch cond {
        case .get(_, _, let v): return v.sourceText
        case .applied(_, let v, _): return v.sourceText
        default: return cond.sourceText
        }
    }

    /// Evaluate a condition now: (holds, what was seen).
    func evaluate(_ cond: Condition, _ s: Statement) throws -> (Bool, String) {
        let c = try currentCluster()
        switch cond {
        case .leader(let sel):
            let c = try inspection(s, "leader")
            guard let l = c.leader else { return (false, "no leader") }
            let seen = "leader \(l), term \(c.term)"
            if let sel {
                let ids = try resolve(sel, in: s)
                return (ids.contains(l), seen)
            }
            return (true, seen)
        case .leaderIs(let op, let sel):
            let c = try inspection(s, "leader")
            let ids = try resolve(sel, in: s)
            guard let l = c.leader else { return (false, "no leader") }
            let seen = "leader \(l), term \(c.term)"
            switch op {
            case .equal: return (ids.contains(l), seen)
            case .notEqual: return (!ids.contains(l), seen)
            default: throw failure(s, "leader can only be compared with == or !=")
            }
        case .noLeader(let sel):
            let c = try inspection(s, "no leader")
            guard let l = c.leader else { return (true, "no leader") }
            if let sel {
                let ids = try resolve(sel, in: s)
                return (!ids.contains(l), "leader \(l), term \(c.term)")
            }
            return (false, "leader \(l), term \(c.term)")
        case .get(let key, let opts, let expected):
            let r = try clientOp(s, .get(key: key), opts)
            guard case .ok(.value(let v)) = r.outcome else {
                return (false, "get failed: \(r.failure ?? "no answer")")
            }
            return (matches(v, expected), "get \(key) = \(v.map(quoteIfNeeded) ?? "none")")
        case .getFails(let key, let opts):
            let r = try clientOp(s, .get(key: key), opts)
            if case .ok(.value(let v)) = r.outcome {
                return (false, "get \(key) answered \(v.map(quoteIfNeeded) ?? "none")")
            }
            return (true, "get \(key) failed: \(r.failure ?? "no answer")")
        case .putFails(let key, let value, let opts):
            let r = try clientOp(s, .put(key: key, value: value), opts)
            if r.succeeded { return (false, "put \(key) succeeded at index \(r.index)") }
            return (true, "put \(key) failed: \(r.failure ?? "no answer")")
        case .role(let sel, let op, let role):
            let c = try inspection(s, "role")
            var seen: [String] = []
            var all = true
            for id in try resolve(sel, in: s) {
                let st = c.status(of: id)
                guard st.state != .down, let r = st.role else {
                    seen.append("node \(id) is down")
                    all = false
                    continue
                }
                let name = NodeRole(r)
                seen.append("node \(id) is \(name.rawValue)")
                let same = name == role
                switch op {
                case .equal: all = all && same
                case .notEqual: all = all && !same
                default: throw failure(s, "role can only be compared with == or !=")
                }
            }
            return (all, seen.joined(separator: ", "))
        case .term(let op, let operand):
            let c = try inspection(s, "term")
            let rhs: Int
            switch operand {
            case .literal(let n): rhs = n
            case .variable(let name):
                guard case .number(let n)? = variables[name] else { throw failure(s, "$\(name) is not a number") }
                rhs = n
            }
            return (op.evaluate(Int(c.term), rhs), "term \(c.term)")
        case .converged:
            let c = try inspection(s, "converged")
            if c.isConverged { return (true, "converged: leader \(c.leader!), term \(c.term)") }
            let parts = c.nodeIDs.map { id -> String in
                let st = c.status(of: id)
                return st.state == .down ? "\(id):down" : "\(id):\(st.role?.rawValue ?? "-") t\(st.term) c\(st.commit) a\(st.applied) l\(st.lastIndex)"
            }
            return (false, "not converged (" + parts.joined(separator: ", ") + ")")
        case .applied(let key, let expected, let sel):
            let c = try inspection(s, "applied")
            var seen: [String] = []
            var all = true
            for id in try resolve(sel, in: s) {
                guard let v = c.appliedValue(key, on: id) else {
                    seen.append("node \(id) is down")
                    all = false
                    continue
                }
                let ok = matches(v, expected)
                all = all && ok
                seen.append("node \(id): \(v.map(quoteIfNeeded) ?? "none")")
            }
            return (all, seen.joined(separator: ", "))
        case .linearizable:
            let h = c.history
            switch LinearizabilityChecker().check(h) {
            case .linearizable:
                return (true, "linearizable (\(h.operations.count) operations)")
            case .violation(let key, let ops):
                return (false, "not linearizable on key \(key):\n" + Check.describe(ops))
            case .tooComplex(let key):
                return (false, "history of key \(key) too complex to check")
            }
        case .invariants:
            let c = try capability((any InvariantChecking).self, for: "expect invariants", in: s)
            if let v = c.violation { return (false, v.description) }
            return (true, "invariants hold")
        case .unanswered(let op, let n):
            guard let w = c.workload else { throw failure(s, "no workload has run") }
            let count = w.running ? w.inFlight : w.unanswered.count
            return (op.evaluate(count, n), "\(count) unanswered")
        case .metric(let name, let op, let value):
            guard let w = c.workload else { throw failure(s, "no workload has run") }
            let report = WorkloadReport(cluster: c, workload: w)
            guard let m = report.metric(name) else {
                throw failure(s, "unknown metric '\(name)'", expected: WorkloadReport.metricNames.joined(separator: ", "))
            }
            let rhs: Double
            switch value {
            case .number(let n): rhs = n
            case .duration(let d): rhs = Double(d)
            case .percent(let p): rhs = p
            }
            return (op.evaluate(m.value, rhs), "\(name) = \(m.text)")
        }
    }

    func matches(_ v: String?, _ expected: ExpectedValue) -> Bool {
        switch expected {
        case .none: return v == nil
        case .value(let e): return v == e
        }
    }
}

extension NodeRole {
    init(_ r: Role) {
        switch r {
        case .follower: self = .follower
        case .preCandidate: self = .precandidate
        case .candidate: self = .candidate
        case .leader: self = .leader
        }
    }
}
