import Foundation
import RaftCore

/// Shrinks a failing scenario while it still fails with the same kind of failure: delta debugging
/// over lines (the `cluster` line stays), then over numbers (fewer nodes, default timings, shorter
/// waits, smaller workloads, milder faults), then over lines again, until nothing changes.
///
/// Deterministic: candidates are tried in a fixed order and, when several run at once (`jobs`), the
/// first in that order that still fails wins, as it would one at a time.
public struct Shrinker: Sendable {
    /// The kind the shrunk scenario must still fail with.
    public var target: FailureKind
    /// Candidates run at once.
    public var jobs: Int
    /// At most this many candidate runs in all.
    public var maxRuns: Int

    /// A shrinker keeping `target`, running up to `jobs` candidates at once.
    public init(target: FailureKind, jobs: Int = 1, maxRuns: Int = 5000) {
        self.target = target
        self.jobs = max(1, jobs)
        self.maxRuns = maxRuns
    }

    /// What shrinking gave.
    public struct Result: Sendable {
        /// The smallest scenario found (its lines, without comments).
        public var lines: [String]
        /// Its failure.
        public var failure: ScenarioFailure?
        /// Candidate runs made.
        public var runs: Int
    }

    /// The failure of the scenario made of `lines`, run as `raftsh run` would (nil: it passed or
    /// did not parse).
    public static func failure(of lines: [String]) -> ScenarioFailure? {
        let text = lines.joined(separator: "\n") + "\n"
        guard let script = try? Parser.parse(text, file: "<shrink>") else { return nil }
        let exec = Executor()
        do {
            try exec.run(script)
            return nil
        } catch {
            return error
        }
    }

    /// Shrink `lines`, which fail with `target`.
    public func shrink(_ lines: [String]) -> Result {
        let budget = RunBudget(maxRuns)
        var current = lines
        for _ in 0..<4 {
            let before = current
            current = ddmin(current, budget)
            current = simplifyNumbers(current, budget)
            if current == before || budget.exhausted { break }
        }
        current = ddmin(current, budget)
        // Waits in a row run exactly as one wait of their sum: one line reads better.
        let merged = Self.mergingWaits(current)
        if merged != current, !budget.exhausted {
            budget.take(1)
            if fails(merged) { current = merged }
        }
        return Result(lines: current, failure: Self.failure(of: current), runs: budget.used)
    }

    /// `lines` with each run of `wait DURATION` lines replaced by one wait of their sum.
    static func mergingWaits(_ lines: [String]) -> [String] {
        var out: [String] = []
        var pending: UInt64?
        func flush() {
            if let p = pending { out.append("wait " + Literals.formatDuration(p)) }
            pending = nil
        }
        for line in lines {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == "wait", let d = Literals.parseDuration(String(words[1])) {
                pending = (pending ?? 0) + d
            } else {
                flush()
                out.append(line)
            }
        }
        flush()
        return out
    }

    /// Counts candidate runs (shared by the threads of one batch).
    final class RunBudget: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        let limit: Int
        init(_ limit: Int) { self.limit = limit }
        var used: Int { lock.withLock { count } }
        var exhausted: Bool { used >= limit }
        func take(_ n: Int) { lock.withLock { count += n } }
    }

    /// Whether `lines` fail with the target kind.
    func fails(_ lines: [String]) -> Bool {
        guard let f = Self.failure(of: lines) else { return false }
        return FailureKind(of: f) == target
    }

    /// The index of the first candidate that still fails, trying `jobs` at a time in order.
    func firstFailing(_ candidates: [[String]], _ budget: RunBudget) -> Int? {
        var start = 0
        while start < candidates.count, !budget.exhausted {
            let batch = Array(candidates[start..<min(start + jobs, candidates.count)])
            budget.take(batch.count)
            let results = ResultBox(batch.count)
            if batch.count == 1 {
                results.set(0, fails(batch[0]))
            } else {
                DispatchQueue.concurrentPerform(iterations: batch.count) { i in results.set(i, self.fails(batch[i])) }
            }
            if let i = results.values.firstIndex(of: true) { return start + i }
            start += batch.count
        }
        return nil
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Bool]
        init(_ n: Int) { storage = Array(repeating: false, count: n) }
        func set(_ i: Int, _ v: Bool) { lock.withLock { storage[i] = v } }
        var values: [Bool] { lock.withLock { storage } }
    }

    /// Delta debugging over the lines after the first: remove chunks while the rest still fails.
    func ddmin(_ lines: [String], _ budget: RunBudget) -> [String] {
        guard let head = lines.first else { return lines }
        var body = Array(lines.dropFirst())
        var n = 2
        while body.count >= 1, !budget.exhausted {
            let parts = min(n, body.count)
            let chunks = split(body, into: parts)
            let candidates = chunks.indices.map { skip in
                [head] + chunks.enumerated().filter { $0.offset != skip }.flatMap(\.element)
            }
            if let i = firstFailing(candidates, budget) {
                body = Array(candidates[i].dropFirst())
                n = max(parts - 1, 2)
                continue
            }
            if parts >= body.count { break }
            n = min(parts * 2, body.count)
        }
        return [head] + body
    }

    private func split(_ xs: [String], into n: Int) -> [[String]] {
        var out: [[String]] = []
        var start = 0
        for i in 0..<n {
            let end = start + (xs.count - start) / (n - i)
            out.append(Array(xs[start..<end]))
            start = end
        }
        return out.filter { !$0.isEmpty }
    }

    /// Replace lines by simpler versions of themselves (smaller numbers) while the scenario still
    /// fails; each line takes the simplest version that does.
    func simplifyNumbers(_ lines: [String], _ budget: RunBudget) -> [String] {
        var current = lines
        var changed = true
        while changed, !budget.exhausted {
            changed = false
            for i in current.indices {
                let variants = LineSimplifier.variants(of: current[i], in: current)
                guard !variants.isEmpty else { continue }
                let candidates = variants.map { v -> [String] in
                    var c = current
                    c[i] = v
                    return c
                }
                if let k = firstFailing(candidates, budget) {
                    current = candidates[k]
                    changed = true
                }
            }
        }
        return current
    }
}
