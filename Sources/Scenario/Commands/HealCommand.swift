/// `heal`: remove every cut and every link fault.
public struct HealCommand: BareCommand {
    /// The row of `heal`.
    public static let specs = [
        CommandSpec(
            name: "heal",
            synopsis: "heal",
            summary: "Remove every cut and every link fault (partition, isolations, blocks, drop, duplicate, delay): the one line that clears them all.",
            example: "heal",
            category: .faults),
    ]

    /// A `heal` line.
    public init() {}

    /// Clears the fault model; says so when there was nothing to clear.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.networkControl("heal")
        let before = FaultsCommand.lines(of: c.network)
        try c.updateNetwork { $0.heal() }
        x.output((before.isEmpty ? "nothing to heal: no cuts, no link faults" : "healed: no cuts, no link faults") + x.stamp())
    }
}
