/// Why a cluster could not do what was asked: a bad setting, a node that would not start, a fault
/// this kind of cluster cannot make. The text is meant for a person.
public struct ClusterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words.
    public var message: String

    /// An error saying `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// "`LINE` is not available on KIND clusters": a line needs a capability this cluster lacks.
    public static func unavailable(_ what: String, on kind: ClusterKind, because why: String? = nil) -> ClusterError {
        ClusterError("\(what) is not available on \(kind.rawValue) clusters" + (why.map { " (\($0))" } ?? ""))
    }
}
