/// `report`: the workload figures.
public struct ReportCommand: BareCommand {
    /// The row of `report`.
    public static let specs = [
        CommandSpec(
            name: "report",
            synopsis: "report",
            summary: "Print the workload figures: messages, requests, duplicates, unanswered, redirects, failures, wrong gets, latency (mean, median, p90, p99, max), throughput, leader history.",
            example: "report",
            category: .workload),
    ]

    /// A `report` line.
    public init() {}

    /// Prints the report of the running or last workload, or says there has been none.
    public func execute(in x: ExecutionContext) throws {
        let c = try x.cluster()
        guard let w = c.workload else {
            x.output("no workload has run yet; start one with `workload start clients N`")
            return
        }
        x.output(WorkloadReport(cluster: c, workload: w).text)
    }
}
