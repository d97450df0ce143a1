import Foundation
import RaftCore
import Scenario
import ClusterModel

/// One interactive session: every line goes through the same parser and executor as `raftsh run`.
/// A failed line prints its error and the session goes on. Prints nothing itself: answers go to
/// `write`.
public final class ShellSession {
    /// What became of one line of input.
    public enum LineResult: Equatable, Sendable {
        /// Ran (or was blank).
        case ok
        /// An open `repeat` block: read more lines.
        case needMore
        /// The line did not parse.
        case parseError
        /// An expectation failed or the line could not be carried out.
        case failed
        /// `quit` / `exit`.
        case quit
    }

    public let executor: Executor
    private let write: (String) -> Void
    private let writeError: (String) -> Void
    /// Lines that ran, as canonical source, for `save`.
    public private(set) var transcript: [String] = []
    /// Buffered lines of an unfinished block.
    private var pending: [String] = []
    private var lineNumber = 0
    /// Keys used in the session, for completion.
    public private(set) var keys: Set<String> = []
    private let clusterLine: String

    /// A session on the default simulated cluster (`options.defaultNodes` nodes, `options.seed`).
    /// Answers go to `write`, errors to `writeError` (default: `write`).
    public init(options: ExecutorOptions, write: @escaping (String) -> Void,
                writeError: ((String) -> Void)? = nil) {
        var opts = options
        opts.allowSave = true
        self.write = write
        self.writeError = writeError ?? write
        self.executor = Executor(options: opts, output: write)
        self.clusterLine = "cluster \(options.defaultNodes) seed \(options.seed)"
        executor.saveHandler = { [unowned self] file in try self.save(to: file) }
    }

    /// Drop the lines of an unfinished block (Ctrl-C at the continuation prompt).
    public func cancelPending() {
        pending.removeAll()
    }

    /// Where lines come from, for error locations: `<prompt>` or `<stdin>`.
    public var sourceName = "<prompt>"

    /// The prompt for the next line.
    public var prompt: String { pending.isEmpty ? "raftsh> " : "   ...> " }

    /// Start the default cluster now, so the first line does not pay for it.
    public func start() throws {
        let c = try executor.currentCluster()
        write(c.summary)
    }

    /// Handle one line of input.
    public func handle(line raw: String) -> LineResult {
        lineNumber += 1
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if pending.isEmpty && (trimmed == "quit" || trimmed == "exit") { return .quit }
        pending.append(raw)
        let text = pending.joined(separator: "\n")
        if Parser.needsMoreInput(text) { return .needMore }
        let firstLine = lineNumber - pending.count + 1
        pending.removeAll()
        let statements: [Statement]
        do {
            statements = try Parser.parseLine(text, file: sourceName, line: firstLine,
                                              options: ParserOptions(defaultNodes: executor.cluster?.nodeIDs.count ?? executor.options.defaultNodes,
                                                                     knownVariables: executor.variableNames))
        } catch {
            writeError(error.render())
            // Kept as a comment: the saved session shows what was typed, and nothing ran.
            transcript.append(Self.commented("error", text))
            return .parseError
        }
        for s in statements {
            remember(s)
            if s.command is QuitCommand { return .quit }
            do {
                try executor.execute(s)
                if s.command is SaveCommand || s.command is HelpCommand {
                    // `save` and `help` change nothing: they are not part of the scenario saved.
                } else if var cluster = s.command as? ClusterCommand, cluster.config.seed == nil {
                    // Record the seed the cluster really got, so the saved scenario replays it.
                    cluster.config.seed = executor.cluster?.seed
                    transcript.append(cluster.sourceText)
                } else {
                    transcript.append(s.sourceText)
                }
            } catch {
                // At the prompt the line was just typed: no caret block, only what went wrong.
                writeError(error.render(source: nil))
                // The line is kept as a comment, followed by what it did that a replay needs to
                // reach the same state and time: an interrupted `wait 1h` becomes the wait that ran,
                // a failed `expect get` the read it made.
                let label = error.message.hasPrefix("interrupted") ? "interrupted" : "failed"
                transcript.append(Self.commented(label, s.sourceText))
                transcript += executor.ranSource
                return .failed
            }
        }
        return .ok
    }

    /// The lines of `raftsh -c TEXT`: split at newlines and at `;` outside double-quoted strings
    /// and comments (`put x "a;b"; get x` is two lines).
    public static func commandLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        var inString = false
        var inComment = false
        var escaped = false
        for c in text {
            if c == "\n" || c == "\r\n" {
                lines.append(current)
                current = ""
                inString = false
                inComment = false
                continue
            }
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if !inComment {
                if c == "\"" { inString = true }
                if c == "#" { inComment = true }
                if c == ";" {
                    lines.append(current)
                    current = ""
                    continue
                }
            }
            current.append(c)
        }
        lines.append(current)
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `text` as comment lines: `# LABEL: first line`, then `#   ` before each further line.
    static func commented(_ label: String, _ text: String) -> String {
        "# \(label): " + text.replacingOccurrences(of: "\n", with: "\n#   ")
    }

    /// Completion candidates for the text before the cursor: commands and their keywords (from the
    /// command table), node ids, selector words, `$variables`, and keys used in this session.
    public func completions(for line: String) -> [String] {
        var out = Set(Completion.candidates(for: line, context: completionContext))
        if !line.contains(" ") && "exit".hasPrefix(line) && !line.isEmpty { out.insert("exit") }
        return out.sorted()
    }

    /// What completion knows: the cluster size, the variables, and the keys of this session's
    /// lines and of every operation in the history (the workload's included).
    private var completionContext: Completion.Context {
        var all = keys
        if let history = executor.cluster?.history {
            for op in history.operations { all.insert(op.op.key) }
        }
        return Completion.Context(nodeCount: executor.cluster?.nodeIDs.count ?? executor.options.defaultNodes,
                                  variables: executor.variableNames.sorted(), keys: all.sorted())
    }

    private func remember(_ s: Statement) {
        keys.formUnion(s.command.keys)
    }

    /// The session as a runnable scenario.
    public var scenarioText: String {
        var out = "# Saved from a raftsh shell session. Replay: raftsh run FILE\n"
        if !(transcript.first?.hasPrefix("cluster ") ?? false) { out += clusterLine + "\n" }
        for line in transcript { out += line + "\n" }
        return out
    }

    private func save(to file: String) throws -> String {
        try FileText.write(scenarioText, to: file)
        return "saved \(transcript.count) lines to \(file)"
    }
}
