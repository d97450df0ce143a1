/// `metric NAME OP VALUE`: a figure of the workload report compares with a value.
public struct MetricCondition: ScenarioCondition {
    /// The row of `expect metric`.
    public static let spec = CommandSpec(
        name: "expect metric",
        synopsis: "expect metric NAME OP NUMBER|DURATION|PERCENT",
        summary: "A figure of the workload report compares with a value. NAME: messages, gets, puts, duplicates, unanswered, unanswered_gets, unanswered_puts, redirects, failures, wrong_gets, mean, median, p90, p99, max, throughput, messages_per_op, snapshots_taken, snapshots_sent, snapshots_installed (docs/metrics.md).",
        example: "expect metric p99 < 50ms",
        category: .assertions)

    /// The metric's name (see `WorkloadReport.metricNames`; checked when the line runs).
    public var name: String
    /// The comparison.
    public var op: ComparisonOperator
    /// The value compared with.
    public var value: MetricValue

    /// A `metric` condition.
    public init(name: String, _ op: ComparisonOperator, _ value: MetricValue) {
        self.name = name
        self.op = op
        self.value = value
    }

    /// Reads `NAME OP NUMBER|DURATION|PERCENT`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        name = try p.parseKey("metric NAME")
        op = try p.parseOperator(equalityOnly: false)
        value = try p.parseMetricValue()
    }

    /// `metric p99 < 50ms`.
    public var sourceText: String { "metric \(name) \(op.symbol) \(value.sourceText)" }

    /// Compares the figure of the running or last workload; seen: `p99 = 12ms`.
    public func evaluate(in x: ExecutionContext) throws -> (holds: Bool, seen: String) {
        let c = try x.cluster()
        guard let w = c.workload else { throw x.failure("no workload has run") }
        let report = WorkloadReport(cluster: c, workload: w)
        guard let m = report.metric(name) else {
            if WorkloadReport.metricNames.contains(name) {
                throw x.failure("metric \(name) is not available on \(c.kind.rawValue) clusters")
            }
            throw x.failure("unknown metric '\(name)'", expected: WorkloadReport.metricNames.joined(separator: ", "))
        }
        let rhs: Double
        switch value {
        case .number(let n): rhs = n
        case .duration(let d): rhs = Double(d)
        case .percent(let p): rhs = p
        }
        return (op.evaluate(m.value, rhs), "\(name) = \(m.text)")
    }
}

extension LineParser {
    /// A number, a duration or a percentage (at most 100%).
    fileprivate mutating func parseMetricValue() throws(ParseError) -> MetricValue {
        let expected = "a number, a duration such as 50ms, or a percentage such as 5%"
        let token = try require("VALUE", expected: expected)
        switch token.kind {
        case .integer(let value): return .number(Double(value))
        case .decimal(let value): return .number(value)
        case .duration(let value): return .duration(value)
        case .percent(let value):
            guard value <= 100 else {
                throw failure("percentage \(token.text) is above 100%", at: token.location, expected: expected)
            }
            return .percent(value)
        case let kind where kind.isPlainValue:
            throw failure("malformed value '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected VALUE, found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }
}
