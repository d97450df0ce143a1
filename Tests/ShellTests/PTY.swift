// A pseudo-terminal harness for driving the real `raftsh` binary the way a person at a terminal
// does: keys in, a rendered screen out, every wait bounded, the child always killed and reaped.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

/// Why a harness step failed; the description carries the screen so far.
struct PTYError: Error, CustomStringConvertible {
    let description: String
}

/// Keys as a terminal sends them (xterm, normal cursor mode).
enum Key {
    static let enter = "\r"
    static let tab = "\t"
    static let up = "\u{1B}[A"
    static let down = "\u{1B}[B"
    static let left = "\u{1B}[D"
    static let right = "\u{1B}[C"
    static let ctrlA = "\u{01}"
    static let ctrlC = "\u{03}"
    static let ctrlD = "\u{04}"
    static let ctrlE = "\u{05}"
}

/// Where the built `raftsh` is: $RAFTSH_BIN, else next to the test bundle (the directory of
/// argv[0], or a parent of it: `.build/debug/raftsh`, `.build/release/raftsh`).
func raftshBinary() throws -> String {
    let fm = FileManager.default
    if let bin = ProcessInfo.processInfo.environment["RAFTSH_BIN"], !bin.isEmpty {
        guard fm.isExecutableFile(atPath: bin) else { throw PTYError(description: "RAFTSH_BIN=\(bin) is not an executable file") }
        return bin
    }
    var starts = [CommandLine.arguments[0]]
    if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(exe) }
    var tried: [String] = []
    for start in starts {
        var dir = URL(fileURLWithPath: start).standardizedFileURL.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("raftsh").path
            tried.append(candidate)
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue, fm.isExecutableFile(atPath: candidate) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
    }
    throw PTYError(description: "raftsh binary not found (set RAFTSH_BIN); tried:\n" + tried.joined(separator: "\n"))
}

/// A fresh directory for HOME, the history file and saved scenarios; removed by `remove()`.
final class TempDir {
    let path: String
    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/raftsh-shelltests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The environment the shell runs in: TERM=xterm, HOME and RAFTSH_HISTORY inside `home`,
/// NO_COLOR=1, and PATH from the test process.
func shellEnvironment(home: TempDir, history: String? = nil) -> [String: String] {
    var env: [String: String] = [
        "TERM": "xterm",
        "HOME": home.path,
        "RAFTSH_HISTORY": history ?? home.file("history"),
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
    ]
    env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return env
}

/// Milliseconds since an arbitrary start, from the monotonic clock.
private func nowMillis() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
}

/// Decodes a wait(2) status: the exit code, or 128 + the signal number.
private func decodeWaitStatus(_ status: Int32) -> Int32 {
    let signal = status & 0x7F
    return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
}

/// A child process on the slave side of a new pseudo-terminal, in its own session with the
/// terminal as its controlling terminal (so Ctrl-C, Ctrl-Z behave as at a real terminal).
final class PTYProcess {
    let pid: pid_t
    private let master: Int32
    private(set) var output: [UInt8] = []
    private var closed = false
    /// The exit code (or 128 + signal) once reaped.
    private(set) var exitStatus: Int32?
    let columns: Int

    init(executable: String, arguments: [String] = [], environment: [String: String],
         columns: Int = 80, rows: Int = 24) throws {
        self.columns = columns
        #if os(Linux)
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw PTYError(description: "open /dev/ptmx: errno \(errno)") }
        var ptyNumber: UInt32 = 0
        var unlock: Int32 = 0
        // TIOCGPTN / TIOCSPTLCK (Swift does not import these macros).
        guard ioctl(master, UInt(0x8004_5430), &ptyNumber) == 0, ioctl(master, UInt(0x4004_5431), &unlock) == 0 else {
            close(master)
            throw PTYError(description: "cannot set up the pty: errno \(errno)")
        }
        let slavePath = "/dev/pts/\(ptyNumber)"
        let setsidFlag: Int32 = 0x80  // POSIX_SPAWN_SETSID (glibc)
        #else
        let master = posix_openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else {
            throw PTYError(description: "cannot open a pty: errno \(errno)")
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        let slavePath = String(cString: name)
        let setsidFlag = Int32(POSIX_SPAWN_SETSID)
        #endif
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // setsid() runs before the file actions, so opening the slave makes it the controlling tty.
        // The test runner's threads block most signals, and a spawned child inherits that mask:
        // give the child an empty mask and default handlers, as a login shell would.
        var noSignals = sigset_t()
        var allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(setsidFlag | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)))
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = envp.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, &cArgs, &cEnv)
        guard rc == 0 else {
            close(master)
            throw PTYError(description: "posix_spawn \(executable): error \(rc)")
        }
        self.pid = pid
        self.master = master
    }

    deinit {
        terminate()
        close(master)
    }

    // MARK: Input

    func send(_ keys: String) {
        let bytes = Array(keys.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += n
        }
    }

    /// Types `text` and presses Enter.
    func sendLine(_ text: String) { send(text + Key.enter) }

    // MARK: Output

    /// Reads what is available, waiting at most `milliseconds` for the first byte.
    /// Returns false once the terminal is closed (the child and its children exited).
    @discardableResult
    func pump(milliseconds: Int) -> Bool {
        guard !closed else { return false }
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&fds, 1, Int32(max(0, milliseconds)))
        if ready <= 0 { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
            if n > 0 {
                output.append(contentsOf: buffer[0..<n])
                var more = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
                if poll(&more, 1, 0) > 0 { continue }
                return true
            }
            if n < 0 && errno == EINTR { continue }
            closed = true  // EIO: no process has the slave open any more
            return false
        }
    }

    /// Everything received, as text (escape sequences included).
    var raw: String { String(decoding: output, as: UTF8.self) }

    /// The output rendered on a simple terminal of `columns` columns.
    var screen: Screen { Screen(output, columns: columns) }

    /// Waits (at most `timeout` seconds) until `condition` holds for the screen.
    func waitUntil(_ what: String, timeout: Double = 10, _ condition: (Screen) -> Bool) throws {
        let deadline = nowMillis() + Int(timeout * 1000)
        while true {
            if condition(screen) { return }
            let left = deadline - nowMillis()
            if left <= 0 { break }
            if !pump(milliseconds: min(left, 100)) {
                if condition(screen) { return }
                throw PTYError(description: "the terminal closed while waiting for \(what)\n\(dump())")
            }
        }
        throw PTYError(description: "timed out after \(timeout)s waiting for \(what)\n\(dump())")
    }

    /// Waits until `text` occurs at least `count` times on the screen.
    func waitFor(_ text: String, count: Int = 1, timeout: Double = 10) throws {
        try waitUntil(count == 1 ? "'\(text)'" : "'\(text)' \(count) times", timeout: timeout) {
            $0.text.occurrences(of: text) >= count
        }
    }

    /// Waits until the prompt has been shown `count` times in all.
    func waitForPrompt(_ count: Int, prompt: String = "raftsh> ", timeout: Double = 10) throws {
        // Rows are compared without trailing blanks, so an empty prompt line reads "raftsh>".
        let bare = String(prompt.reversed().drop { $0 == " " }.reversed())
        try waitUntil("prompt #\(count) '\(prompt)'", timeout: timeout) {
            $0.lines.filter { $0 == bare || $0.hasPrefix(prompt) }.count >= count
        }
    }

    /// The screen and the raw bytes, for failure messages.
    func dump() -> String {
        let lines = screen.lines
        let shown = lines.suffix(60).map { "  | " + $0 }.joined(separator: "\n")
        let rawTail = String(raw.suffix(1500)).debugDescription
        return "--- screen (\(lines.count) lines) ---\n\(shown)\n--- raw tail ---\n\(rawTail)"
    }

    // MARK: Exit

    /// Reaps the child if it exited; returns its status.
    @discardableResult
    func reap() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { exitStatus = decodeWaitStatus(status) }
        return exitStatus
    }

    /// Waits (at most `timeout` seconds) for the child to exit, reading its output meanwhile.
    func waitForExit(timeout: Double = 10) throws -> Int32 {
        let deadline = nowMillis() + Int(timeout * 1000)
        while nowMillis() < deadline {
            if let status = reap() {
                pump(milliseconds: 50)
                return status
            }
            if !pump(milliseconds: 50) { usleep(10_000) }
        }
        throw PTYError(description: "timed out after \(timeout)s waiting for raftsh (pid \(pid)) to exit\n\(dump())")
    }

    /// SIGTERM to the child's process group, SIGKILL after a grace period; always reaps.
    func terminate(grace: Double = 1) {
        guard reap() == nil else { return }
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        let deadline = nowMillis() + Int(grace * 1000)
        while nowMillis() < deadline {
            if reap() != nil { return }
            pump(milliseconds: 20)
        }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exitStatus = decodeWaitStatus(status)
    }
}

/// A small terminal model: enough of xterm for what libedit and the shell emit (printing with
/// deferred wrap, CR, LF, BS, cursor movement, erase, insert/delete characters). Rows grow
/// without limit, so nothing scrolls away.
struct Screen {
    private(set) var grid: [[Character]] = [[]]
    private(set) var row = 0
    private(set) var col = 0
    let columns: Int

    init(_ bytes: [UInt8], columns: Int = 80) {
        self.columns = columns
        let text = String(decoding: bytes, as: UTF8.self)
        var it = Array(text).makeIterator()
        var wrapPending = false
        while let ch = it.next() {
            switch ch {
            case "\r\n":  // one grapheme in Swift
                row += 1; col = 0; wrapPending = false
            case "\r":
                col = 0; wrapPending = false
            case "\n", "\u{0B}", "\u{0C}":
                row += 1; wrapPending = false
            case "\u{08}":
                if col > 0 { col -= 1 }
                wrapPending = false
            case "\u{07}", "\u{00}":
                break
            case "\t":
                col = min(columns - 1, (col / 8 + 1) * 8)
            case "\u{1B}":
                wrapPending = false
                escape(&it)
            default:
                if wrapPending { row += 1; col = 0; wrapPending = false }
                put(ch)
                if col == columns - 1 { wrapPending = true } else { col += 1 }
            }
        }
    }

    private mutating func ensureRow() {
        while grid.count <= row { grid.append([]) }
    }

    private mutating func put(_ ch: Character) {
        ensureRow()
        while grid[row].count < col { grid[row].append(" ") }
        if col < grid[row].count { grid[row][col] = ch } else { grid[row].append(ch) }
    }

    private mutating func escape(_ it: inout IndexingIterator<[Character]>) {
        guard let kind = it.next() else { return }
        switch kind {
        case "[":
            var params = ""
            var final: Character = "\0"
            while let c = it.next() {
                if let a = c.asciiValue, a >= 0x40 && a <= 0x7E { final = c; break }
                params.append(c)
            }
            let numbers = params.split(separator: ";", omittingEmptySubsequences: false).map { Int($0.filter(\.isNumber)) }
            let n = max(1, (numbers.first ?? nil) ?? 1)
            ensureRow()
            switch final {
            case "A": row = max(0, row - n)
            case "B": row += n
            case "C": col = min(columns - 1, col + n)
            case "D": col = max(0, col - n)
            case "G": col = min(columns - 1, n - 1)
            case "K":
                ensureRow()
                let mode = (numbers.first ?? nil) ?? 0
                if mode == 0 { if col < grid[row].count { grid[row].removeSubrange(col...) } }
                else if mode == 1 { for i in 0..<min(col + 1, grid[row].count) { grid[row][i] = " " } }
                else { grid[row] = [] }
            case "J":
                ensureRow()
                if col < grid[row].count { grid[row].removeSubrange(col...) }
                if grid.count > row + 1 { grid.removeSubrange((row + 1)...) }
            case "P":
                ensureRow()
                let end = min(grid[row].count, col + n)
                if col < end { grid[row].removeSubrange(col..<end) }
            case "@":
                ensureRow()
                if col <= grid[row].count { grid[row].insert(contentsOf: Array(repeating: " ", count: n), at: col) }
            default: break  // SGR, modes, absolute positioning: not used by the shell
            }
            ensureRow()
        case "]":  // OSC: up to BEL or ST
            while let c = it.next() {
                if c == "\u{07}" { break }
                if c == "\u{1B}" { _ = it.next(); break }
            }
        case "(", ")":
            _ = it.next()
        default:
            break  // ESC =, ESC >, ESC 7/8 ...
        }
    }

    /// The rows, trailing blanks removed.
    var lines: [String] {
        var out = grid.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        while out.last == "" { out.removeLast() }
        return out
    }

    var text: String { lines.joined(separator: "\n") }

    /// The row the cursor is on.
    var cursorLine: String {
        row < grid.count ? String(grid[row]).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) : ""
    }
}

extension String {
    func occurrences(of needle: String) -> Int {
        guard !needle.isEmpty else { return 0 }
        var count = 0
        var searchRange = startIndex..<endIndex
        while let r = range(of: needle, range: searchRange) {
            count += 1
            searchRange = r.upperBound..<endIndex
        }
        return count
    }
}

/// Runs `raftsh` without a terminal: stdin from `input` (a file), stdout and stderr to files.
/// Bounded: killed after `timeout` seconds.
func runRaftsh(_ arguments: [String], input: String? = nil, home: TempDir, timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try raftshBinary())
    process.arguments = arguments
    process.environment = shellEnvironment(home: home)
    let tag = UUID().uuidString
    let outPath = home.file("stdout-\(tag)")
    let errPath = home.file("stderr-\(tag)")
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer { try? out.close(); try? err.close() }
    process.standardOutput = out
    process.standardError = err
    if let input {
        let inPath = home.file("stdin-\(tag)")
        try input.write(toFile: inPath, atomically: true, encoding: .utf8)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
    } else {
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
    }
    try process.run()
    let deadline = nowMillis() + Int(timeout * 1000)
    while process.isRunning && nowMillis() < deadline { usleep(20_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let so = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        throw PTYError(description: "raftsh \(arguments.joined(separator: " ")) did not exit within \(timeout)s; stdout:\n\(so)")
    }
    process.waitUntilExit()
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, stdout, stderr)
}
