/// One seed's generated scenario, as it ran: its lines (without comments) and how it ended.
public struct GeneratedRun: Sendable {
    /// The seed (of the generator and of the cluster).
    public var seed: UInt64
    /// The scenario's lines, up to the one that failed.
    public var lines: [String]
    /// The failure that stopped it, if any.
    public var failure: ScenarioFailure?
    /// Simulated events run.
    public var steps: Int
    /// Virtual time at the end, in nanoseconds.
    public var virtualTime: UInt64

    /// The kind of failure, if it failed.
    public var kind: FailureKind? { failure.map(FailureKind.init(of:)) }

    /// The lines as a scenario's text.
    public var text: String { lines.joined(separator: "\n") + "\n" }
}
