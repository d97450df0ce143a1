import Testing
import RaftCore
import Node

@Suite struct LogHashChainTests {
    private func entries(_ terms: [Term], from first: LogIndex = 1, tag: UInt8 = 0) -> [Entry] {
        terms.enumerated().map { i, t in Entry(term: t, index: first + LogIndex(i), data: [UInt8(i), tag]) }
    }

    @Test func equalLogsHashEquallyHoweverTheyWereBuilt() {
        var a = LogHashChain()
        a.append(entries([1, 1, 2, 2, 3]))
        var b = LogHashChain()
        for e in entries([1, 1, 2, 2, 3]) { b.append([e]) }
        #expect(a.lastIndex == 5)
        for i: LogIndex in 0...5 { #expect(a.hash(at: i) == b.hash(at: i)) }
        #expect(a.hash(at: 6) == nil)
        #expect(Set((1...5).map { a.hash(at: $0)! }).count == 5)
    }

    @Test func aDifferentEntryChangesEveryHashFromItsIndexOn() {
        var a = LogHashChain()
        a.append(entries([1, 1, 2, 2, 3]))
        var b = LogHashChain()
        var es = entries([1, 1, 2, 2, 3])
        es[2].data = [9]
        b.append(es)
        #expect(a.hash(at: 2) == b.hash(at: 2))
        for i: LogIndex in 3...5 { #expect(a.hash(at: i) != b.hash(at: i)) }
        var c = LogHashChain()
        var kinds = entries([1, 1, 2, 2, 3])
        kinds[3].kind = .noop
        c.append(kinds)
        #expect(c.hash(at: 4) != a.hash(at: 4))
    }

    @Test func appendingOverAConflictRecomputesFromTheTruncationPoint() {
        var a = LogHashChain()
        a.append(entries([1, 1, 1, 1, 1], tag: 7))  // a stale suffix from term 1
        a.append(entries([2, 2], from: 3))             // a leader of term 2 overwrites from index 3
        var b = LogHashChain()
        b.append(entries([1, 1], tag: 7))
        b.append(entries([2, 2], from: 3))
        #expect(a.lastIndex == 4)
        for i: LogIndex in 1...4 { #expect(a.hash(at: i) == b.hash(at: i)) }
        // A gap is ignored rather than hashed.
        a.append(entries([2], from: 9))
        #expect(a.lastIndex == 4)
    }

    @Test func theOffsetSeedsTheChain() {
        let a = LogHashChain(offset: 10, offsetTerm: 2)
        let b = LogHashChain(offset: 10, offsetTerm: 3)
        #expect(a.hash(at: 10) != b.hash(at: 10))
        #expect(a.hash(at: 9) == nil)
    }

    /// A chain started after a snapshot whose metadata carries the hash there goes on exactly as the
    /// chain of the node that hashed the whole log; without one it reports nothing.
    @Test func aChainAfterASnapshotStartsFromTheHashItCarries() {
        var full = LogHashChain()
        full.append(entries([1, 1, 2, 2, 3, 3]))
        let point = SnapshotMetadata(index: 4, term: 2, logHash: full.hash(at: 4)!)
        var after = LogHashChain.after(point)
        after.append(entries([1, 1, 2, 2, 3, 3]).suffix(2))
        for i: LogIndex in 4...6 { #expect(after.hash(at: i) == full.hash(at: i)) }
        #expect(after.hash(at: 3) == nil)
        var unknown = LogHashChain.after(SnapshotMetadata(index: 4, term: 2))
        unknown.append(entries([1, 1, 2, 2, 3, 3]).suffix(2))
        #expect(unknown.hash(at: 6) == nil)
        #expect(LogHashChain.after(.none) == LogHashChain())
    }
}
