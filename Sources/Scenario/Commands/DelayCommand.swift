/// `delay DURATION..DURATION [NODES -> NODES]`: delay each message by a random time in the range.
public struct DelayCommand: ScenarioCommand {
    /// The row of `delay`.
    public static let specs = [
        CommandSpec(
            name: "delay",
            synopsis: "delay DURATION..DURATION [NODES -> NODES]",
            summary: "Delay each message by a random time in the range (this reorders them), on every link or on the links given. A message meets the larger bounds of the every-link and its link's range. delay 0ms without a link clears every delay, per-link ones included.",
            example: "delay 10ms..200ms",
            keywords: ["on"],
            category: .faults),
    ]

    /// The extra delay in nanoseconds (a single duration is `D..D`).
    public var range: ClosedRange<UInt64>
    /// The link it applies to, or nil for every link.
    public var link: Link?

    /// A `delay` line.
    public init(range: ClosedRange<UInt64>, link: Link? = nil) {
        self.range = range
        self.link = link
    }

    /// Reads the range and an optional `[on] NODES -> NODES`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        range = try p.parseDurationRange("DURATION..DURATION")
        link = try p.parseOptionalLink()
    }

    /// `delay ...` and the link, if any.
    public var sourceText: String { "delay " + Literals.formatDurationRange(range) + (link.map { " " + $0.sourceText } ?? "") }

    /// Sets the fault on the links and says where.
    public func execute(in x: ExecutionContext) throws {
        let on = try x.setLinkFaults("delay", on: link, delay: range)
        x.output("delay \(FaultText.delay(range)) on \(on)" + x.stamp())
    }
}
