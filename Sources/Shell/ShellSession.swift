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
            return .parseError
        }
        for s in statements {
            remember(s)
            do {
                try executor.execute(s)
                if s.command is SaveCommand {
                    // `save` itself is not part of the scenario it writes.
                } else if var cluster = s.command as? ClusterCommand, cluster.config.seed == nil {
                    // Record the seed the cluster really got, so the saved scenario replays it.
                    cluster.config.seed = executor.cluster?.seed
                    transcript.append(cluster.sourceText)
                } else {
                    transcript.append(s.sourceText)
                }
            } catch {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let idx = s.location.line - firstLine
                let src = idx >= 0 && idx < lines.count ? String(lines[idx]) : nil
                writeError(error.render(source: src))
                transcript.append("# failed: " + s.sourceText.replacingOccurrences(of: "\n", with: "\n# "))
                return .failed
            }
        }
        return .ok
    }

    /// Completion candidates for the text before the cursor: commands and their keywords (from the
    /// command table), node ids, selector words, `$variables`, and keys used in this session.
    public func completions(for line: String) -> [String] {
        var out = Set(Completion.candidates(for: line))
        if !line.contains(" ") {
            for w in ["quit", "exit"] where w.hasPrefix(line) { out.insert(w) }
        }
        let endsInBlank = line.last.map { $0 == " " } ?? true
        let words = line.split(separator: " ").map(String.init)
        let partial = endsInBlank ? "" : (words.last ?? "")
        let wordCount = endsInBlank ? words.count : words.count - 1
        if wordCount >= 1 {
            let n = executor.cluster?.nodeIDs.count ?? executor.options.defaultNodes
            for id in 1...max(1, n) where String(id).hasPrefix(partial) { out.insert(String(id)) }
            for v in executor.variableNames where ("$" + v).hasPrefix(partial) { out.insert("$" + v) }
            for k in keys where k.hasPrefix(partial) { out.insert(k) }
        }
        return out.sorted()
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
        let text = scenarioText
        do {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw ClusterError("cannot write \(file): \(error.localizedDescription)")
        }
        return "saved \(transcript.count) lines to \(file)"
    }
}
