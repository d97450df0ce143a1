import ArgumentParser
import Foundation
import Synchronization
import Scenario
import Shell
import Sim
import Check
import ClusterModel
import Harness
import Node

/// Set by SIGINT while a command runs; polled by the simulator's run loop.
private let interruptFlag = Atomic<Bool>(false)
/// Whether the newline after an echoed ^C was printed.
private let interruptNewline = Atomic<Bool>(false)

/// The interactive shell (default subcommand).
struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open a prompt on a simulated cluster (the default).",
        discussion: """
            On a terminal: line editing, history (~/.raftsh_history, or $RAFTSH_HISTORY) and Tab \
            completion. With stdin not a terminal, reads plain lines (`raftsh < file.scn`) and exits \
            1 if an expectation failed, 2 on a parse error.
            """
    )

    @Option(help: "Seed of the simulated cluster.")
    var seed: UInt64 = 42

    @Option(help: "Number of nodes.")
    var nodes: Int = 5

    @Flag(help: "Start local raftd processes over UDP instead of simulating (every `cluster` line becomes UDP).")
    var udp = false

    @Flag(help: "Like --udp, with each raftd in a network namespace of its own and faults made by the kernel (needs root, ip, nft and tc).")
    var netns = false

    @Option(help: ArgumentHelp("Attach to raftd nodes already running: HOST:PORT,HOST:PORT,... (ids 1, 2, ... in order) or ID=HOST:PORT,...",
                               valueName: "nodes"))
    var connect: String?

    @Option(help: ArgumentHelp("Start processes of this command speaking Maelstrom's protocol instead of simulating (e.g. \"raftd --maelstrom\", \"python3 node.py\").",
                               valueName: "CMD"))
    var exec: String?

    @Option(name: .customLong("cluster-key"), help: "The cluster key of the nodes given with --connect.")
    var clusterKey: String = NodeConfig.defaultClusterKey

    @Flag(name: .customLong("no-fsync"), help: "UDP nodes do not sync their logs (faster, not crash-safe).")
    var noFsync = false

    @Option(name: [.customShort("c"), .customLong("command")],
            help: ArgumentHelp("Run these lines (separated by ';' or newlines) and exit, with the exit codes of piped input: 1 if an expectation failed, 2 on a parse error.",
                               valueName: "lines"))
    var command: String?

    func validate() throws {
        if nodes < 1 || nodes > ClusterLimits.maxNodes {
            throw ValidationError("--nodes: a cluster has \(ClusterLimits.nodeRange) (got \(nodes))")
        }
        if (udp || netns) && connect != nil { throw ValidationError("--udp starts nodes, --connect attaches to running ones: pick one") }
        if exec != nil && (udp || netns || connect != nil) {
            throw ValidationError("--exec starts foreign nodes: it does not go with --udp, --netns or --connect")
        }
        if netns, let why = NamespaceNetwork.unavailableReason() { throw ValidationError("--netns: \(why)") }
    }

    func run() throws {
        var opts = ExecutorOptions()
        opts.seed = seed
        opts.defaultNodes = nodes
        let tty = isatty(STDIN_FILENO) == 1 && command == nil
        opts.color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let session = ShellSession(options: opts, write: { line in
            // After a Ctrl-C the terminal has echoed "^C" without a newline.
            if interruptFlag.load(ordering: .relaxed) && !interruptNewline.exchange(true, ordering: .relaxed) { print("") }
            print(line)
            fflush(nil)
        }, writeError: tty ? nil : { line in
            FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
        })
        if !tty { session.sourceName = command == nil ? "<stdin>" : "<-c>" }
        session.executor.interruptCheck = { interruptFlag.load(ordering: .relaxed) }
        signal(SIGINT) { _ in interruptFlag.store(true, ordering: .relaxed) }
        // UDP nodes this shell starts end with it: at exit, on SIGTERM/SIGHUP/SIGQUIT (Ctrl-C only
        // interrupts the running command; the nodes are in their own process group).
        ProcessSupervisor.installCleanupHandlers(signals: [SIGTERM, SIGHUP, SIGQUIT])
        var attached: UDPCluster? = nil
        if let connect {
            do {
                attached = try UDPCluster(attaching: UDPCluster.parseConnectList(connect), clusterKey: clusterKey, seed: seed)
            } catch {
                FileHandle.standardError.write("raftsh: --connect: \(error)\n".data(using: .utf8)!)
                throw ExitCode(1)
            }
        }
        let factory = ClusterFactory(forceUDP: udp, forceNetns: netns, forceExec: exec, fsync: !noFsync, attached: attached)
        defer { factory.shutdownAll() }
        session.executor.makeCluster = { cfg, seed, opts in try factory.make(cfg, seed: seed, options: opts) }
        // The attached nodes are the session's cluster from the first line on.
        if attached != nil && !tty { _ = try session.executor.currentCluster() }
        if let command {
            try run(ShellSession.commandLines(command), in: session)
        } else if tty {
            try interactive(session)
        } else {
            try piped(session)
        }
    }

    private func interactive(_ session: ShellSession) throws {
        let env = ProcessInfo.processInfo.environment
        let history = env["RAFTSH_HISTORY"] ?? (env["HOME"].map { $0 + "/.raftsh_history" })
        guard let editor = LineEditor(prompt: session.prompt, historyFile: history,
                                      completer: { session.completions(for: $0) }) else {
            return try piped(session)
        }
        editor.onInterrupt = { [unowned editor] in
            session.cancelPending()
            editor.prompt = session.prompt
        }
        print("raftsh — a Raft cluster at your prompt. `help` lists commands, Tab completes, Ctrl-D quits.")
        try session.start()
        while true {
            editor.prompt = session.prompt
            // libedit installs its own SIGINT handling while it reads; ours is back afterwards.
            guard let line = editor.readLine() else { print(""); break }
            signal(SIGINT) { _ in interruptFlag.store(true, ordering: .relaxed) }
            interruptFlag.store(false, ordering: .relaxed)
            interruptNewline.store(false, ordering: .relaxed)
            let result = session.handle(line: line)
            if result == .quit { break }
            editor.addHistory(line)
        }
        editor.saveHistory()
    }

    private func piped(_ session: ShellSession) throws {
        try run(AnySequence { AnyIterator { readLine(strippingNewline: true) } }, in: session)
    }

    /// Runs `lines` one by one (a failed line does not stop the others); exits 2 if a line did not
    /// parse, else 1 if one failed.
    private func run<S: Sequence<String>>(_ lines: S, in session: ShellSession) throws {
        var worst: Int32 = 0
        reading: for line in lines {
            switch session.handle(line: line) {
            case .quit: break reading
            case .parseError: worst = 2
            case .failed: worst = max(worst, 1)
            case .ok, .needMore: break
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}
