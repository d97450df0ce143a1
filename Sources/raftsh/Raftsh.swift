import ArgumentParser

/// The `raftsh` command: a shell over a Raft cluster, a scenario runner, and benchmarks.
@main
struct Raftsh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftsh",
        abstract: "Explore, test and break a Raft cluster.",
        discussion: """
            With no subcommand, opens the shell on a simulated cluster. \
            Type `help` at the prompt for the scenario language.
            """,
        subcommands: [Shell.self, Run.self, SweepCommand.self, Bench.self],
        defaultSubcommand: Shell.self
    )
}
