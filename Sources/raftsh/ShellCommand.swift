import ArgumentParser
import Foundation
import Synchronization
import Scenario
import Shell
import Sim

/// Set by SIGINT while a command runs; polled by the simulator's run loop.
private let interruptFlag = Atomic<Bool>(false)

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

    @Option(help: "Number of simulated nodes.")
    var nodes: Int = 5

    func validate() throws {
        if nodes < 1 || nodes > 64 { throw ValidationError("--nodes must be between 1 and 64") }
    }

    func run() throws {
        var opts = ExecutorOptions()
        opts.seed = seed
        opts.defaultNodes = nodes
        let tty = isatty(STDIN_FILENO) == 1
        opts.color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let session = ShellSession(options: opts) { print($0); fflush(nil) }
        session.executor.interruptCheck = { interruptFlag.load(ordering: .relaxed) }
        signal(SIGINT) { _ in interruptFlag.store(true, ordering: .relaxed) }
        if tty {
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
        print("raftsh — a Raft cluster at your prompt. `help` lists commands, Tab completes, Ctrl-D quits.")
        try session.start()
        while true {
            editor.prompt = session.prompt
            // libedit installs its own SIGINT handling while it reads; ours is back afterwards.
            guard let line = editor.readLine() else { print(""); break }
            signal(SIGINT) { _ in interruptFlag.store(true, ordering: .relaxed) }
            interruptFlag.store(false, ordering: .relaxed)
            editor.addHistory(line)
            if session.handle(line: line) == .quit { break }
        }
        editor.saveHistory()
    }

    private func piped(_ session: ShellSession) throws {
        var worst: Int32 = 0
        reading: while let line = readLine(strippingNewline: true) {
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
