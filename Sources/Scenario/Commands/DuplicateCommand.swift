/// `duplicate PERCENT [NODES -> NODES]`: deliver this share of messages twice.
public struct DuplicateCommand: PercentFaultCommand {
    /// The row of `duplicate`.
    public static let specs = [
        CommandSpec(
            name: "duplicate",
            synopsis: "duplicate PERCENT [NODES -> NODES]",
            summary: "Deliver this share of messages twice, on every link or on the links given. A message meets the larger of the every-link and its link's share. duplicate 0% without a link clears every duplication, per-link ones included.",
            example: "duplicate 5%",
            keywords: ["on"],
            category: .faults),
    ]

    /// The share, 0...100.
    public var percent: Double
    /// The link it applies to, or nil for every link.
    public var link: Link?

    /// A `duplicate` line.
    public init(percent: Double, link: Link? = nil) {
        self.percent = percent
        self.link = link
    }

    /// Sets the duplication on the links and says where.
    public func execute(in x: ExecutionContext) throws {
        let on = try x.setLinkFaults("duplicate", on: link, duplicate: percent / 100)
        x.output("duplicate \(FaultText.percent(percent)) on \(on)" + x.stamp())
    }
}
