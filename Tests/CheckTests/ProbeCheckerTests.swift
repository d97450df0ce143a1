import Check
import RaftCore
import Testing

/// The checker of real nodes' status probes, fed with hand-made probes.
@Suite struct ProbeCheckerTests {
    /// A probe of `node` with a log that is the same on every node: the hash at index i is
    /// `1000 + i`, the digest at applied index i is `5000 + i`, every entry of term `term`.
    private func probe(_ node: NodeID, at time: Timestamp, role: Role = .follower, term: Term = 1, commit: LogIndex,
                       last: LogIndex? = nil, applied: LogIndex? = nil, incarnation: UInt64 = 1) -> NodeProbe {
        let last = last ?? commit
        let applied = applied ?? commit
        return NodeProbe(node: node, incarnation: incarnation, time: time, role: role, term: term, commit: commit,
                         commitTerm: commit == 0 ? 0 : term, commitHash: commit == 0 ? 0 : 1000 + commit,
                         lastIndex: last, lastTerm: last == 0 ? 0 : term, lastHash: last == 0 ? 0 : 1000 + last,
                         applied: applied, appliedDigest: applied == 0 ? 0 : 5000 + applied)
    }

    @Test func agreeingNodesRaiseNothing() {
        let c = ProbeChecker(seed: 3)
        var t: Timestamp = 0
        for i: LogIndex in 1...50 {
            for node: NodeID in 1...3 {
                t += 1_000_000
                // Node 1 leads; followers lag one entry behind in commit and apply.
                let commit = node == 1 ? i : i - 1
                c.observe(probe(node, at: t, role: node == 1 ? .leader : .follower, commit: commit, last: i))
            }
        }
        #expect(c.violations.isEmpty, "\(c.violations)")
        #expect(c.probes == 150)
        #expect(c.checks > 500)
    }

    @Test func twoLeadersOfOneTermBreakElectionSafety() throws {
        let c = ProbeChecker(seed: 3)
        c.observe(probe(1, at: 100_000_000, role: .leader, term: 2, commit: 1))
        c.observe(probe(1, at: 200_000_000, role: .leader, term: 2, commit: 1))
        #expect(c.violations.isEmpty)
        c.observe(probe(2, at: 300_000_000, role: .leader, term: 3, commit: 1))
        #expect(c.violations.isEmpty, "leaders of different terms are fine")
        c.observe(probe(3, at: 1_234_000_000, role: .leader, term: 2, commit: 1))
        let v = try #require(c.firstViolation)
        #expect(v.invariant == "election safety")
        #expect(v.nodes == [1, 3])
        #expect(v.time == 1_234_000_000)
        #expect(v.seed == 3)
        #expect(v.detail.contains("both led term 2"), "\(v.detail)")
        #expect(v.description.contains("at t=1.234s"), "\(v.description)")
        // Seen again: still one violation.
        c.observe(probe(3, at: 1_300_000_000, role: .leader, term: 2, commit: 1))
        #expect(c.violations.count == 1)
    }

    @Test func differentLogsAtOneIndexAndTermBreakLogMatching() throws {
        let c = ProbeChecker(seed: 1)
        c.observe(probe(1, at: 10, commit: 2, last: 5))
        var bad = probe(2, at: 20, commit: 2, last: 5)
        bad.lastHash = 77  // same index and term as node 1's last entry, different log before it
        c.observe(bad)
        let v = try #require(c.firstViolation)
        #expect(v.invariant == "log matching")
        #expect(v.nodes == [1, 2])
        #expect(v.detail.contains("index 5"), "\(v.detail)")
        #expect(v.detail.contains("0x000000000000004d"), "\(v.detail)")
    }

    @Test func sameIndexOfAnotherTermIsNoConflict() {
        // An uncommitted entry of an old term at index 5 on node 2; node 1 has term 2 there.
        let c = ProbeChecker(seed: 1)
        c.observe(probe(1, at: 10, term: 2, commit: 2, last: 5))
        var p = probe(2, at: 20, term: 1, commit: 2, last: 5)
        p.commitTerm = 2  // the committed prefix is the same
        p.commitHash = 1002
        p.lastHash = 99
        c.observe(p)
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func differentCommittedLogsBreakStateMachineSafety() throws {
        let c = ProbeChecker(seed: 1)
        c.observe(probe(1, at: 10, term: 2, commit: 4))
        var p = probe(2, at: 20, term: 3, commit: 4)
        p.commitHash = 4242
        p.lastHash = 4242
        c.observe(p)
        let v = try #require(c.firstViolation)
        #expect(v.invariant == "state machine safety")
        #expect(v.detail.contains("committed different logs up to index 4"), "\(v.detail)")
    }

    @Test func differentStatesAtOneAppliedIndexBreakStateMachineSafety() throws {
        let c = ProbeChecker(seed: 1)
        c.observe(probe(1, at: 10, commit: 6, applied: 6))
        var p = probe(3, at: 20, commit: 7, applied: 6)
        p.appliedDigest = 1
        c.observe(p)
        let v = try #require(c.firstViolation)
        #expect(v.invariant == "state machine safety")
        #expect(v.nodes == [1, 3])
        #expect(v.detail.contains("applied the log up to index 6"), "\(v.detail)")
    }

    @Test func commitGoingBackBreaksMonotonicityOnlyWithinOneIncarnation() throws {
        let c = ProbeChecker(seed: 1)
        c.observe(probe(1, at: 10, commit: 9, incarnation: 1))
        c.observe(probe(1, at: 20, commit: 3, incarnation: 2))  // restarted: fine
        #expect(c.violations.isEmpty)
        c.observe(probe(1, at: 30, commit: 5, incarnation: 2))
        c.observe(probe(1, at: 40, commit: 4, applied: 4, incarnation: 2))
        let names = c.violations.map(\.invariant)
        #expect(names == ["commit monotonic", "applied monotonic"], "\(c.violations)")
        #expect(c.violations[0].detail.contains("from 5"), "\(c.violations[0].detail)")
    }

    @Test func unknownHashesAreNotCompared() {
        let c = ProbeChecker(seed: 1)
        c.observe(probe(1, at: 10, commit: 3))
        var p = probe(2, at: 20, commit: 3)
        p.commitHash = 0
        p.lastHash = 0
        p.appliedDigest = 0
        c.observe(p)
        #expect(c.violations.isEmpty)
    }
}
