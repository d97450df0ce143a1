import Check
import ClusterModel

/// How answers show network faults: percentages, delay ranges and the links they are on.
enum FaultText {
    /// `30%`, `2.5%` (one decimal when not whole).
    static func percent(_ p: Double) -> String { TimeFormat.fixed(p, p == p.rounded() ? 0 : 1) + "%" }

    /// `10ms..200ms`.
    static func delay(_ range: ClosedRange<UInt64>) -> String {
        "\(TimeFormat.duration(range.lowerBound))..\(TimeFormat.duration(range.upperBound))"
    }

    /// `all links` (nil) or the links: `1 -> 2, 1 -> 3`.
    static func links(_ links: [ClusterModel.Link]?) -> String {
        guard let links else { return "all links" }
        return links.map(\.description).joined(separator: ", ")
    }
}
