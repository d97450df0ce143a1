import Wire
/// `report`: the workload figures.
public struct ReportCommand: JSONFormCommand {
    /// The row of `report`.
    public static let specs = [
        CommandSpec(
            name: "report",
            synopsis: "report [--json]",
            summary: "Print the workload figures: messages, requests, duplicates, unanswered, redirects, failures, wrong gets, latency (mean, median, p90, p99, max), throughput, leader history. --json prints one JSON document instead.",
            example: "report",
            category: .workload),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// Whether to print JSON.
    public var json: Bool

    /// A line without `--json`.
    public init() { self.init(json: false) }

    /// A `report` line.
    public init(json: Bool) {
        self.json = json
    }

    /// Prints the report of the running or last workload, or says there has been none.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.cluster()
        guard let w = c.workload else {
            x.output(json ? JSONValue.fields([("metrics", .null), ("linearizable", .null), ("leader_history", .null)]).description
                          : "no workload has run yet; start one with `workload start clients N`")
            return
        }
        let report = WorkloadReport(cluster: c, workload: w)
        x.output(json ? report.json.description : report.text)
    }
}
