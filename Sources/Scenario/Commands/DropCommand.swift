/// `drop PERCENT [NODES -> NODES]`: lose this share of messages (`drop 0%` stops it).
public struct DropCommand: PercentFaultCommand {
    /// The row of `drop`.
    public static let specs = [
        CommandSpec(
            name: "drop",
            synopsis: "drop PERCENT [NODES -> NODES]",
            summary: "Lose this share of messages, on every link or on the links given. A message meets the larger of the every-link and its link's share. drop 0% without a link clears every drop, per-link ones included; with a link, that link's.",
            example: "drop 30% 1 -> 2",
            keywords: ["on"],
            category: .faults),
    ]

    /// The share, 0...100.
    public var percent: Double
    /// The link it applies to, or nil for every link.
    public var link: Link?

    /// A `drop` line.
    public init(percent: Double, link: Link? = nil) {
        self.percent = percent
        self.link = link
    }

    /// Sets the loss on the links and says where.
    public func execute(in x: ExecutionContext) throws {
        let on = try x.setLinkFaults("drop", on: link, loss: percent / 100)
        x.output("drop \(FaultText.percent(percent)) on \(on)" + x.stamp())
    }
}
