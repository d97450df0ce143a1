import ArgumentParser

/// The `raftsh` command: a shell over a Raft cluster, a scenario runner, and benchmarks.
@main
struct Raftsh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raftsh",
        abstract: "Explore, test and break a Raft cluster.",
        discussion: """
            With no subcommand, opens the shell (`raftsh shell`) on a simulated 5-node cluster. \
            Type `help` at the prompt for the scenario language.

            Shell options (see `raftsh shell --help`):
              --seed N                seed of the simulated cluster (default 42)
              --nodes N               number of nodes (default 5)
              --udp                   start local raftd processes instead of simulating
              --connect HOST:PORT,…   attach to raftd nodes already running
              --exec CMD              start nodes of CMD speaking Maelstrom's protocol

            Examples:
              raftsh                                  the shell
              raftsh run scenarios/                   run every scenario
              raftsh run s.scn --seeds 1..50          one scenario under 50 seeds
              raftsh sweep s.scn --param election=100ms..200ms,150ms..300ms
              raftsh run --udp scenarios/             the same scenarios on local raftd processes
              raftsh run --exec "raftd --maelstrom" scenarios/exec/   scenarios on Maelstrom nodes
              raftsh check history.edn                check a Jepsen-style history
              raftsh bench sim                        simulator speed
              raftsh bench udp                        real nodes: latency, throughput, failover
            """,
        subcommands: [Shell.self, Run.self, CheckCommand.self, SweepCommand.self, Bench.self, DocsCommand.self],
        defaultSubcommand: Shell.self
    )
}
