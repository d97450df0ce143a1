import RaftCore

/// What the scenario generator draws from: cluster sizes, fault families, a known bug to switch on,
/// and how many lines the random part has.
public struct GeneratorSettings: Sendable, Hashable {
    /// Cluster sizes to choose from (`--nodes 3,5,7`).
    public var nodes: [Int] = [3, 5, 7]
    /// Fault families to draw (`--faults`).
    public var faults: Set<ExploreFault> = Set(ExploreFault.allCases)
    /// The known bug every generated cluster switches on (`--bug NAME`), or none.
    public var bug: KnownBug?
    /// How many random lines (faults, operations, waits) come between the workload and the repair.
    public var steps: ClosedRange<Int> = 10...30

    /// The defaults: 3, 5 or 7 nodes, every fault, no bug, 10 to 30 random lines.
    public init(nodes: [Int] = [3, 5, 7], faults: Set<ExploreFault> = Set(ExploreFault.allCases), bug: KnownBug? = nil,
                steps: ClosedRange<Int> = 10...30) {
        self.nodes = nodes
        self.faults = faults
        self.bug = bug
        self.steps = steps
    }
}
