/// What `raftsh explore` searches: which seeds (a range, this shard's slice of it, or as many as fit
/// in a time), what the generator draws, how many runs at once, and what to do with findings.
public struct ExploreOptions: Sendable {
    /// The seeds, first to last (with `timeLimit`, the last may never be reached).
    public var seeds: ClosedRange<UInt64> = 1...1000
    /// Stop taking new seeds after this many seconds of wall time (nil: run the whole range).
    public var timeLimit: Double?
    /// This run's slice: the seeds `s` with `(s - first) % count == index` (`--shard K/N`, K from 0).
    public var shard: (index: Int, count: Int) = (0, 1)
    /// Runs at once (threads).
    public var jobs = 1
    /// What each scenario draws from.
    public var settings = GeneratorSettings()
    /// Stop after this many failing seeds (the lowest ones, whatever `jobs` is); nil: run them all.
    public var stopAfter: Int?
    /// Shrink at most this many findings: the lowest seed of each kind of failure, kinds in order of
    /// their lowest seed.
    public var shrinkLimit = 3
    /// At most this many candidate runs per shrink.
    public var maxShrinkRuns = 4000

    /// The defaults: seeds 1..1000, one job.
    public init() {}

    /// The seed of this shard's `i`-th run, or nil past the range.
    public func seed(at i: UInt64) -> UInt64? {
        let (q, overflow1) = i.multipliedReportingOverflow(by: UInt64(shard.count))
        let (offset, overflow2) = q.addingReportingOverflow(UInt64(shard.index))
        guard !overflow1, !overflow2, offset <= seeds.upperBound - seeds.lowerBound else { return nil }
        return seeds.lowerBound + offset
    }
}
