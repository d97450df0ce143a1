import Foundation
import Testing
import Harness

@Suite("ProcessCPU")
struct ProcessCPUTests {
    @Test("user and system ticks are fields 14 and 15, counted after the command name")
    func parsesStat() {
        // A command name with a space and parentheses of its own, as /proc shows it.
        let stat = "4242 (raft d) (x)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 37 5 0 0 20 0 3 0 100 0 0"
        #expect(ProcessCPU.ticksUsed(stat: stat) == 42)
        #expect(ProcessCPU.ticksUsed(stat: "4242 (short) S 1 2") == nil)
        #expect(ProcessCPU.ticksUsed(stat: "no parenthesis") == nil)
        #expect(ProcessCPU.ticksUsed(stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s") == nil)
    }

    @Test("this process's CPU time grows while it works; a process that is gone reads as unknown")
    func readsProc() throws {
        let me = getpid()
        let before = try #require(ProcessCPU.seconds(of: [me]))
        // Spin until the kernel's tick-granular counters move (bounded: at most 5 s of wall time).
        let start = ContinuousClock.now
        var x: UInt64 = 1
        var after = before
        while after <= before && ContinuousClock.now - start < .seconds(5) {
            for i in 0..<1_000_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
            after = ProcessCPU.seconds(of: [me]) ?? before
        }
        #expect(x != 0)
        #expect(after > before)
        #expect(ProcessCPU.seconds(of: [me, Int32.max]) == nil)
        #expect(ProcessCPU.perPut(from: 1.0, to: 1.5, puts: 1_000) == "500us")
        #expect(ProcessCPU.perPut(from: nil, to: 1.5, puts: 1_000) == "-")
        #expect(ProcessCPU.perPut(from: 1.0, to: 1.5, puts: 0) == "-")
    }
}
