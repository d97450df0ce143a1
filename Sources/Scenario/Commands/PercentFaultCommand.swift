/// A share of messages lost or duplicated, on every link or on the links `NODES -> NODES` name
/// (`drop`, `duplicate`): the protocol reads and prints the line; the command gives its row and
/// what it does.
public protocol PercentFaultCommand: ScenarioCommand {
    /// The share, 0...100.
    var percent: Double { get }
    /// The link it applies to, or nil for every link.
    var link: Link? { get }
    /// The command for `percent` on `link`.
    init(percent: Double, link: Link?)
}

extension PercentFaultCommand {
    /// Reads `PERCENT` and an optional `[on] NODES -> NODES`.
    public init(parsing parser: inout LineParser) throws(ParseError) {
        let percent = try parser.parsePercent("PERCENT")
        self.init(percent: percent, link: try parser.parseOptionalLink())
    }

    /// `WORD 30%` and the link, if any.
    public var sourceText: String {
        Self.specs[0].commandWord + " " + Literals.formatPercent(percent) + (link.map { " " + $0.sourceText } ?? "")
    }
}
