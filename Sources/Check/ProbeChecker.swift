import RaftCore

/// Checks Raft's safety properties from the outside, on what nodes report about themselves
/// (`NodeProbe`s, in the order they arrived), with the names the simulator's `InvariantChecker`
/// uses:
/// - "election safety": no two nodes are ever seen leading the same term;
/// - "log matching": two nodes that report an entry of the same term at the same index (at their
///   commit or last index) have equal chained hashes there, so their logs agree up to it;
/// - "state machine safety": two nodes that report the same commit index have equal chained
///   hashes there (they committed the same log), and two nodes that report the same applied
///   index have equal state digests (they applied the same commands);
/// - "commit monotonic" / "applied monotonic": within one incarnation of a node these never go back.
///
/// Each probe costs a few dictionary look-ups; memory grows with the number of distinct indexes
/// reported. Every violation is recorded once (per property and index or term) with the values
/// seen, the nodes that reported them and when; `firstViolation` is the one that fails a run.
public final class ProbeChecker {
    /// The seed of the run, reported in every violation.
    public let seed: UInt64
    /// Every violation found, in the order found.
    public private(set) var violations: [Violation] = []
    /// How many comparisons ran (a measure of coverage).
    public private(set) var checks = 0
    /// How many probes were observed.
    public private(set) var probes = 0

    /// The first violation found, if any.
    public var firstViolation: Violation? { violations.first }

    /// Who reported a value, and when.
    private struct Witness {
        var value: UInt64
        var term: Term
        var node: NodeID
        var time: Timestamp
    }

    private struct IndexTerm: Hashable {
        var index: LogIndex
        var term: Term
    }

    private struct Progress {
        var incarnation: UInt64
        var commit: LogIndex
        var applied: LogIndex
        var time: Timestamp
    }

    private var leaderOfTerm: [Term: Witness] = [:]
    private var hashAt: [IndexTerm: Witness] = [:]
    private var committedAt: [LogIndex: Witness] = [:]
    private var appliedAt: [LogIndex: Witness] = [:]
    private var progress: [NodeID: Progress] = [:]
    private var reported: Set<String> = []

    /// A checker for a run with `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// Check one probe against everything seen before it.
    public func observe(_ p: NodeProbe) {
        probes += 1
        checkLeader(p)
        if p.commit > 0, p.commitHash != 0 {
            checkLog(p, index: p.commit, term: p.commitTerm, hash: p.commitHash, what: "commit")
            checkCommitted(p)
        }
        if p.lastIndex > 0, p.lastHash != 0, p.lastIndex != p.commit || p.lastTerm != p.commitTerm {
            checkLog(p, index: p.lastIndex, term: p.lastTerm, hash: p.lastHash, what: "last")
        }
        if p.applied > 0, p.appliedDigest != 0 { checkApplied(p) }
        checkMonotonic(p)
    }

    // MARK: - Properties

    private func checkLeader(_ p: NodeProbe) {
        guard p.role == .leader else { return }
        checks += 1
        guard let known = leaderOfTerm[p.term] else {
            leaderOfTerm[p.term] = Witness(value: p.node, term: p.term, node: p.node, time: p.time)
            return
        }
        guard known.node != p.node else { return }
        record("election safety", key: "term \(p.term)", nodes: [known.node, p.node], at: p.time,
               "nodes \(known.node) and \(p.node) both led term \(p.term) (node \(known.node) reported it at "
               + "\(TimeFormat.instant(known.time)), node \(p.node) at \(TimeFormat.instant(p.time)))")
    }

    private func checkLog(_ p: NodeProbe, index: LogIndex, term: Term, hash: UInt64, what: String) {
        guard let known = conflict(in: &hashAt, at: IndexTerm(index: index, term: term), value: hash, term: term, p) else {
            return
        }
        record("log matching", key: "\(index)/\(term)", nodes: [known.node, p.node], at: p.time,
               "nodes \(known.node) and \(p.node) both hold an entry of term \(term) at index \(index), but their logs up to "
               + "it differ: chained hash \(hex(known.value)) on node \(known.node) (at \(TimeFormat.instant(known.time))), "
               + "\(hex(hash)) on node \(p.node) (its \(what) index, at \(TimeFormat.instant(p.time)))")
    }

    private func checkCommitted(_ p: NodeProbe) {
        guard let known = conflict(in: &committedAt, at: p.commit, value: p.commitHash, term: p.commitTerm, p) else { return }
        record("state machine safety", key: "commit \(p.commit)", nodes: [known.node, p.node], at: p.time,
               "nodes \(known.node) and \(p.node) committed different logs up to index \(p.commit): node \(known.node) "
               + "an entry of term \(known.term) there, chained hash \(hex(known.value)) (at \(TimeFormat.instant(known.time))); "
               + "node \(p.node) an entry of term \(p.commitTerm), hash \(hex(p.commitHash)) (at \(TimeFormat.instant(p.time)))")
    }

    private func checkApplied(_ p: NodeProbe) {
        guard let known = conflict(in: &appliedAt, at: p.applied, value: p.appliedDigest, term: 0, p) else { return }
        record("state machine safety", key: "applied \(p.applied)", nodes: [known.node, p.node], at: p.time,
               "nodes \(known.node) and \(p.node) applied the log up to index \(p.applied) but their states differ: "
               + "digest \(hex(known.value)) on node \(known.node) (at \(TimeFormat.instant(known.time))), "
               + "\(hex(p.appliedDigest)) on node \(p.node) (at \(TimeFormat.instant(p.time)))")
    }

    /// Remember `value` at `key` if nothing is known there yet; otherwise return the first witness
    /// when it saw another value on another node (a conflict), else nil.
    private func conflict<Key: Hashable>(in table: inout [Key: Witness], at key: Key, value: UInt64, term: Term,
                                         _ p: NodeProbe) -> Witness? {
        checks += 1
        guard let known = table[key] else {
            table[key] = Witness(value: value, term: term, node: p.node, time: p.time)
            return nil
        }
        return known.value != value && known.node != p.node ? known : nil
    }

    private func checkMonotonic(_ p: NodeProbe) {
        checks += 2
        let now = Progress(incarnation: p.incarnation, commit: p.commit, applied: p.applied, time: p.time)
        defer { progress[p.node] = now }
        guard let before = progress[p.node], before.incarnation == p.incarnation else { return }
        if p.commit < before.commit {
            record("commit monotonic", key: "commit \(p.node)/\(p.incarnation)/\(p.commit)", nodes: [p.node], at: p.time,
                   "node \(p.node) commit index went back from \(before.commit) (at \(TimeFormat.instant(before.time))) "
                   + "to \(p.commit) (at \(TimeFormat.instant(p.time))) without a restart")
        }
        if p.applied < before.applied {
            record("applied monotonic", key: "applied \(p.node)/\(p.incarnation)/\(p.applied)", nodes: [p.node], at: p.time,
                   "node \(p.node) applied index went back from \(before.applied) (at \(TimeFormat.instant(before.time))) "
                   + "to \(p.applied) (at \(TimeFormat.instant(p.time))) without a restart")
        }
    }

    // MARK: - Helpers

    private func record(_ invariant: String, key: String, nodes: [NodeID], at time: Timestamp, _ detail: String) {
        guard reported.insert(invariant + " " + key).inserted else { return }
        violations.append(Violation(invariant: invariant, nodes: nodes, detail: detail, time: time, seed: seed))
    }

    private func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
