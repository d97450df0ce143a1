import ArgumentParser
import Foundation
import Scenario
import Sim
import Check
import ClusterModel
import Harness

/// `raftsh sweep SCENARIO --param …`: a scenario over every combination of settings and seeds.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a scenario over combinations of cluster settings and seeds; print a table, write CSV and SVG.",
        discussion: """
            Parameters: nodes=3,5,7  election=50ms..100ms,150ms..300ms  heartbeat=20ms,50ms  latency=1ms..5ms,10ms..30ms. \
            Each value replaces the scenario's own `cluster` setting. Failover is the time without a leader \
            after a leadership ends.
            """
    )

    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(name: .customLong("param"), help: "NAME=V1,V2,… (repeatable).")
    var params: [String] = []

    @Option(help: "Seeds to run each combination with, A..B.")
    var seeds: String = "1..10"

    @Option(help: "Where to write the CSV table (default: sweep.csv).")
    var csv: String = "sweep.csv"

    @Option(help: "Where to write the SVG chart (default: sweep.svg).")
    var svg: String = "sweep.svg"

    func run() throws {
        let parameters: [Sweep.Parameter]
        do { parameters = try params.map { p throws(ClusterError) in try Sweep.Parameter.parse(p) } } catch {
            throw ValidationError(error.description)
        }
        let ends = seeds.components(separatedBy: "..")
        guard ends.count == 2, let a = UInt64(ends[0]), let b = UInt64(ends[1]), a <= b else {
            throw ValidationError("--seeds takes a range A..B with A <= B (got '\(seeds)')")
        }
        guard let data = FileManager.default.contents(atPath: scenario), let source = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read \(scenario)")
        }
        do { _ = try Parser.parse(source, file: scenario, options: ParserOptions(defaultNodes: 64)) } catch {
            print(error.render())
            throw ExitCode(2)
        }
        let sweep = Sweep(parameters: parameters, seeds: a...b)
        let total = sweep.combinations.count * Int(b - a + 1)
        FileHandle.standardError.write("sweeping \(scenario): \(sweep.combinations.count) combinations × \(b - a + 1) seeds = \(total) runs\n".data(using: .utf8)!)
        let rows = sweep.run(file: scenario, source: source)
        print(Sweep.table(rows))
        try Sweep.csv(rows).write(toFile: csv, atomically: true, encoding: .utf8)
        try Sweep.svg(rows, title: "raftsh sweep: \((scenario as NSString).lastPathComponent), seeds \(seeds)")
            .write(toFile: svg, atomically: true, encoding: .utf8)
        print("wrote \(csv) and \(svg)")
    }
}
