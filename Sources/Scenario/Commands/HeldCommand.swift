import ClusterModel

/// `held`: list the holds in force and the messages held on each link.
public struct HeldCommand: BareCommand {
    /// The row of `held`.
    public static let specs = [
        CommandSpec(
            name: "held",
            synopsis: "held",
            summary: "List the links that hold messages, the kinds they hold, and the messages held, oldest first.",
            example: "held",
            category: .messages),
    ]

    /// A `held` line.
    public init() {}

    /// Prints the holds.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.messageControl("held")
        x.output(HeldText.listing(c) + x.stamp())
    }
}
