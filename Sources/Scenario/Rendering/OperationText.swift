import RaftCore
import Check
import KV
import ClusterModel

/// How answers show client operations and the values they read.
enum OperationText {
    /// A client operation's outcome, the node that answered and the latency:
    /// `ok  index 2  node 4  48ms`, `1  index 2  node 4  11ms`, `timeout  5s`.
    static func describe(_ r: OperationResult) -> String {
        let lat = TimeFormat.duration(r.latency)
        let by = r.node != noNode ? "  node \(r.node)" : ""
        // Nodes that do not report a log index (exec clusters) answer without one.
        let at = r.index != 0 ? "  index \(r.index)" : ""
        switch r.outcome {
        case .ok(.ok):
            return "ok\(at)\(by)  \(lat)"
        case .ok(.value(let v)):
            return "\(value(v))\(at)\(by)  \(lat)"
        case .ok(.casFailed(let v)):
            return "cas failed: current value \(value(v))\(at)\(by)  \(lat)"
        case .ok(.casMismatch):
            return "cas failed: another value\(at)\(by)  \(lat)"
        case .fail, .unknown:
            let why = r.failure ?? "failed"
            let note = r.outcome == .unknown ? " (outcome unknown)" : ""
            return "\(why)\(note)\(by)  \(lat)"
        }
    }

    /// A value read (or `none` for an absent key), quoted and escaped when it is not one plain
    /// token (`ValueText.display`): newlines and control characters never reach the terminal raw.
    static func value(_ v: String?) -> String {
        v.map(ValueText.display) ?? "none"
    }
}
