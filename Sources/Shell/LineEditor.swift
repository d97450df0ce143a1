#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibEdit

/// Line editing for the interactive shell, on libedit: emacs keys and arrows, history (Up/Down,
/// Ctrl-R, kept in a file between sessions) and Tab completion.
///
/// Tab inserts the longest common prefix of the completer's candidates for the word before the
/// cursor (and a space when exactly one candidate is left); when several remain and nothing can
/// be added, it lists them below the line and redraws the line, as bash does. Ctrl-C clears the
/// line and shows a fresh prompt; Ctrl-D on an empty line ends the input.
///
/// `readLine()` blocks in libedit; call it from the main thread, not from an async context.
/// libedit's C state lives behind this class: its varargs calls go through the `static inline`
/// wrappers of `CLibEdit/shim.h`, and the C globals it needs (stdin, stdout) are only named in C.
public final class LineEditor {
    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let context: UnsafeMutablePointer<raftsh_el_context>
    private let historyFile: String?
    private let completer: (_ lineUpToCursor: String) -> [String]
    /// Set by Ctrl-C while `el_gets` runs; `readLine` then starts a fresh line.
    private var interrupted = false

    /// The most entries kept in memory and in the history file.
    public static let historySize: Int32 = 1000

    /// nil when stdin is not a terminal.
    public init?(prompt: String, historyFile: String?, completer: @escaping (_ lineUpToCursor: String) -> [String]) {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        LineEditor.enableUTF8Input()
        let complete: raftsh_el_key_fn = { el, _, owner in
            guard let el, let owner else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(owner).takeUnretainedValue().complete(el)
        }
        let interrupt: raftsh_el_key_fn = { el, _, owner in
            guard let el, let owner else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(owner).takeUnretainedValue().interrupt(el)
        }
        guard let context = raftsh_el_context_new(complete, interrupt, nil) else { return nil }
        guard let editLine = raftsh_el_init("raftsh") else {
            raftsh_el_context_free(context)
            return nil
        }
        guard let history = history_init() else {
            el_end(editLine)
            raftsh_el_context_free(context)
            return nil
        }
        self.editLine = editLine
        self.history = history
        self.context = context
        self.historyFile = historyFile
        self.completer = completer
        context.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        raftsh_el_set_prompt(context, prompt)

        _ = raftsh_history_setsize(history, LineEditor.historySize)
        _ = raftsh_history_setunique(history, 1)
        if let historyFile, access(historyFile, R_OK) == 0 {
            _ = raftsh_history_load(history, historyFile)
        }

        _ = raftsh_el_set_clientdata(editLine, UnsafeMutableRawPointer(context))
        _ = raftsh_el_set_editor(editLine, "emacs")
        _ = raftsh_el_set_prompt_fn(editLine)
        _ = raftsh_el_set_hist(editLine, history)
        // libedit catches SIGWINCH (resize), SIGTSTP/SIGCONT and SIGTERM/SIGHUP while it reads,
        // and puts the terminal back before passing them on.
        _ = raftsh_el_set_signal(editLine, 1)
        // Ctrl-C arrives as a key while editing (the terminal sends no SIGINT for it), so it can
        // clear the line instead of reaching the program's SIGINT handler. Ctrl-Z and Ctrl-\ keep
        // their signals.
        _ = raftsh_el_setty_edit(editLine, "-intr")
        _ = raftsh_el_add_complete_fn(editLine, "raftsh-complete", "Complete the word before the cursor")
        _ = raftsh_el_add_interrupt_fn(editLine, "raftsh-interrupt", "Discard the line and start a new one")
        let bindings: [(key: String, command: String)] = [
            ("^I", "raftsh-complete"),
            ("^C", "raftsh-interrupt"),
            ("^R", "em-inc-search-prev"),
            ("^W", "ed-delete-prev-word"),
            ("\\e[1;5D", "ed-prev-word"), ("\\e[1;5C", "em-next-word"),  // Ctrl-Left / Ctrl-Right
            ("\\e[H", "ed-move-to-beg"), ("\\eOH", "ed-move-to-beg"), ("\\e[1~", "ed-move-to-beg"),
            ("\\e[F", "ed-move-to-end"), ("\\eOF", "ed-move-to-end"), ("\\e[4~", "ed-move-to-end"),
            ("\\e[3~", "ed-delete-next-char"),
        ]
        for b in bindings { _ = raftsh_el_bind(editLine, b.key, b.command) }
        // The user's ~/.editrc (or $EDITRC) has the last word.
        _ = el_source(editLine, nil)
        self.prompt = prompt
    }

    deinit {
        el_end(editLine)
        history_end(history)
        raftsh_el_context_free(context)
    }

    /// Shown before the line; takes effect from the next `readLine()`.
    public var prompt: String = "" {
        didSet { raftsh_el_set_prompt(context, prompt) }
    }

    /// Called when Ctrl-C has discarded the line, before the fresh prompt is drawn: a caller
    /// with an unfinished block can drop it here and set `prompt` for the fresh line.
    public var onInterrupt: (() -> Void)?

    /// Blocks; nil on end of input (Ctrl-D on an empty line).
    public func readLine() -> String? {
        while true {
            interrupted = false
            var count: Int32 = 0
            // libedit draws the prompt first and switches the terminal to raw mode only when it
            // reads the first key: a key typed in between would be echoed and cooked by the
            // terminal (Ctrl-D lost, Ctrl-C a signal). Switch first; el_gets restores cooked mode.
            _ = raftsh_el_prep_term(editLine, 1)
            let line = el_gets(editLine, &count)
            if interrupted {
                onInterrupt?()
                continue
            }
            if count < 0 && errno == EINTR {
                // A signal broke the read off (libedit has restored the terminal): start over.
                write("\n")
                continue
            }
            guard let line, count > 0 else { return nil }
            var text = String(cString: line)
            while let last = text.unicodeScalars.last, last == "\n" || last == "\r" {
                text.unicodeScalars.removeLast()
            }
            return text
        }
    }

    /// Adds `line` to the history; skips blank lines and a repeat of the newest entry.
    public func addHistory(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace) else { return }
        if let newest = raftsh_history_first(history), String(cString: newest) == line { return }
        _ = raftsh_history_enter(history, line)
    }

    /// Writes the history to `historyFile`, if there is one (mode 0600).
    public func saveHistory() {
        guard let historyFile else { return }
        _ = raftsh_history_save(history, historyFile)
    }

    // MARK: Key functions (called by libedit from inside el_gets)

    /// Tab.
    private func complete(_ el: OpaquePointer) -> UInt8 {
        let line = LineEditor.lineState(el)
        let partial = String(line.beforeCursor.reversed().prefix { !$0.isWhitespace }.reversed())
        var seen: Set<String> = []
        let candidates = completer(line.beforeCursor).filter { $0.hasPrefix(partial) && seen.insert($0).inserted }
        guard !candidates.isEmpty else { return UInt8(CC_ERROR) }
        let common = LineEditor.longestCommonPrefix(candidates)
        let nextIsBlank = line.afterCursor.first?.isWhitespace ?? false
        if common.count > partial.count || candidates.count == 1 {
            var insertion = String(common.dropFirst(partial.count))
            if candidates.count == 1 && !nextIsBlank { insertion += " " }
            guard !insertion.isEmpty else { return UInt8(CC_NORM) }
            return el_insertstr(el, insertion) == 0 ? UInt8(CC_REFRESH) : UInt8(CC_ERROR)
        }
        // Several candidates, no common prefix to add: list them under the line, then redraw it.
        var out = line.afterCursor + "\n"  // moves the terminal's cursor to the end of the line first
        out += LineEditor.columns(candidates.sorted(), width: Int(raftsh_el_columns(el)))
        write(out)
        return UInt8(CC_REDISPLAY)
    }

    /// Ctrl-C: show `^C` after the line, and make `readLine` start a fresh one.
    private func interrupt(_ el: OpaquePointer) -> UInt8 {
        write(LineEditor.lineState(el).afterCursor + "^C\n")
        interrupted = true
        return UInt8(CC_NEWLINE)
    }

    private static func lineState(_ el: OpaquePointer) -> (beforeCursor: String, afterCursor: String) {
        guard let info = el_line(el)?.pointee, let buffer = info.buffer, let cursor = info.cursor,
              let last = info.lastchar else { return ("", "") }
        let before = UnsafeRawBufferPointer(start: UnsafeRawPointer(buffer), count: max(0, cursor - buffer))
        let after = UnsafeRawBufferPointer(start: UnsafeRawPointer(cursor), count: max(0, last - cursor))
        return (String(decoding: before, as: UTF8.self), String(decoding: after, as: UTF8.self))
    }

    /// Writes through the same `FILE` libedit draws on, so the two interleave correctly.
    private func write(_ text: String) {
        let out = raftsh_el_stdout()
        fputs(text, out)
        fflush(out)
    }

    // MARK: Helpers (internal for tests)

    /// The longest prefix (in characters) shared by all of `words`.
    static func longestCommonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first.map(Array.init) else { return "" }
        for word in words.dropFirst() {
            let chars = Array(word)
            var n = 0
            while n < prefix.count && n < chars.count && prefix[n] == chars[n] { n += 1 }
            prefix.removeLast(prefix.count - n)
        }
        return String(prefix)
    }

    /// `words` in columns down then across, fitted to `width` (80 when unknown), one row a line.
    static func columns(_ words: [String], width: Int) -> String {
        guard !words.isEmpty else { return "" }
        let screen = width > 0 ? width : 80
        let cell = (words.map(\.count).max() ?? 0) + 2
        let perRow = max(1, screen / cell)
        let rows = (words.count + perRow - 1) / perRow
        var out = ""
        for r in 0..<rows {
            var line = ""
            var c = 0
            while r + c * rows < words.count {
                let word = words[r + c * rows]
                let isLast = r + (c + 1) * rows >= words.count
                line += isLast ? word : word + String(repeating: " ", count: cell - word.count)
                c += 1
            }
            out += line + "\n"
        }
        return out
    }

    /// libedit reads multibyte input according to LC_CTYPE; make it UTF-8 when the environment
    /// does not choose a UTF-8 locale itself.
    private static func enableUTF8Input() {
        if let current = setlocale(LC_CTYPE, ""), LineEditor.isUTF8(String(cString: current)) { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "C") }
    }

    private static func isUTF8(_ locale: String) -> Bool {
        let l = locale.lowercased()
        return l.contains("utf-8") || l.contains("utf8")
    }
}
