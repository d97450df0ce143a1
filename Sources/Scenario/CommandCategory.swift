/// The groups commands are listed under in `help` and the docs.
public enum CommandCategory: String, Sendable, Hashable, CaseIterable {
    case cluster = "Cluster"
    case client = "Client operations"
    case faults = "Faults"
    case membership = "Membership"
    case time = "Time"
    case messages = "Message control"
    case assertions = "Assertions"
    case workload = "Workload"
    case inspection = "Inspection and control"

    /// The heading.
    public var title: String { rawValue }
}
