/// `heal`: remove every cut and every link fault.
public struct HealCommand: BareCommand {
    /// The row of `heal`.
    public static let specs = [
        CommandSpec(
            name: "heal",
            synopsis: "heal",
            summary: "Remove every cut and every link fault (block, drop, duplicate, delay).",
            example: "heal",
            category: .faults),
    ]

    /// A `heal` line.
    public init() {}

    /// Clears the fault model.
    public func execute(in x: ExecutionContext) throws {
        try x.networkControl("heal").updateNetwork { $0.heal() }
        x.output("healed: no cuts, no link faults" + x.stamp())
    }
}
