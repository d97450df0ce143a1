import Testing
import RaftCore
@testable import KV
import TestSupport

/// The drivers' shared rule for background writes: what goes at once, what waits, and what the core
/// hears, in which order.
@Suite struct WritePipelineTests {
    private func ready(entries: [(LogIndex, Term)]) -> Ready {
        var rd = Ready()
        rd.entries = entries.map { Entry(term: $0.1, index: $0.0, kind: .normal) }
        return rd
    }

    @Test func outputGoesAtOnceWhileNothingIsWithTheWriter() {
        var p = WritePipeline<Int>()
        #expect(p.isIdle)
        #expect(p.handsOver(leading: true))
        #expect(!p.handsOver(leading: false))
        #expect(p.hold(1) == 1)
    }

    @Test func outputWaitsForEveryWriteHandedOverBeforeIt() throws {
        var p = WritePipeline<String>()
        let raft = try RaftNode(config: RaftConfig(id: 1, voters: [1]), storage: PersistentState.empty,
                                random: SplitMix64(seed: 1))
        #expect(p.handOver(ready(entries: [])) == 1)
        #expect(p.hold("a") == nil)
        #expect(p.handOver(ready(entries: [])) == 2)
        // A node that is not leading queues its storage work behind a write still with the writer.
        #expect(p.handsOver(leading: false))
        #expect(p.hold("b") == nil)
        #expect(p.written(through: 1, raft: raft) == ["a"])
        #expect(!p.isIdle)
        #expect(p.written(through: 1, raft: raft) == [])
        #expect(p.written(through: 2, raft: raft) == ["b"])
        #expect(p.isIdle)
        #expect(p.hold("c") == "c")
    }
}
