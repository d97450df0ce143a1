import RaftCore
import ClusterModel

// Changes to the network fault model shared by `drop`, `duplicate` and `delay`.

extension ExecutionContext {
    /// Sets loss, duplication or delay (nil: leave as is) on every link, or on the links `link`
    /// names, for the line `what`; returns where, as the answer says it: `all links` or
    /// `1 -> 2, 1 -> 3`.
    func setLinkFaults(_ what: String, on link: Link?, loss: Double? = nil, duplicate: Double? = nil,
                       delay: ClosedRange<UInt64>? = nil) throws -> String {
        let c = try networkControl(what)
        let pairs = try link.map { try resolveLink($0) }
        let links = pairs.map { $0.map { ClusterModel.Link($0.0, $0.1) } }
        try c.updateNetwork { $0.setFaults(loss: loss, duplicate: duplicate, delay: delay, on: links) }
        return FaultText.links(links)
    }
}
