import ArgumentParser
import Foundation
import RaftCore
import KV
import Sim

/// The interactive shell (default subcommand).
struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open a prompt on a simulated cluster (the default)."
    )

    @Option(help: "Seed of the simulated cluster.")
    var seed: UInt64 = 42

    @Option(help: "Number of simulated nodes.")
    var nodes: Int = 5

    func run() throws {
        throw CleanExit.message("shell: not yet")
    }
}
