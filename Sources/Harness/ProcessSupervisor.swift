import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a child process could not be started or found.
public struct ProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The pids of every child this process started and has not reaped yet, in a fixed table that a
/// signal handler can read without locks or allocation.
///
/// A pid is removed *before* it is reaped: until then the child is alive or a zombie, so its pid
/// cannot have been reused and killing it from the table can never hit an unrelated process.
enum ChildTable {
    static let capacity = 4_096
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    static let lock = NSLock()

    static func add(_ pid: pid_t) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        for i in 0..<capacity where slots[i] == 0 {
            slots[i] = pid
            return true
        }
        return false
    }

    static func remove(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        for i in 0..<capacity where slots[i] == pid { slots[i] = 0 }
    }

    static func snapshot() -> [pid_t] {
        lock.lock()
        defer { lock.unlock() }
        return (0..<capacity).compactMap { slots[$0] > 0 ? slots[$0] : nil }
    }

    /// SIGKILL every child in the table. Async-signal-safe: no locks, no allocation.
    static func killAllFromSignalContext() {
        for i in 0..<capacity {
            let pid = slots[i]
            if pid > 0 {
                _ = kill(-pid, SIGKILL)  // its process group (children lead their own)
                _ = kill(pid, SIGKILL)
            }
        }
    }
}

/// The actions that were installed before ours, by signal number (restored by the handler).
nonisolated(unsafe) private let previousActions: UnsafeMutablePointer<sigaction> = {
    let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    p.initialize(repeating: sigaction(), count: 65)
    return p
}()

/// Kill every child, put back the previous action, and let the signal take its course.
private func cleanupSignalHandler(_ sig: Int32) {
    ChildTable.killAllFromSignalContext()
    if sig > 0 && sig < 65 {
        _ = sigaction(sig, previousActions + Int(sig), nil)
    } else {
        _ = signal(sig, SIG_DFL)
    }
    // Delivered (to the previous action) as soon as this handler returns.
    _ = raise(sig)
}

/// One child process started with `posix_spawn`, in its own process group (so the terminal's
/// Ctrl-C reaches the shell only), with standard output and error appended to a log file, and
/// any descriptors it should inherit numbered from 3 (every other descriptor of the shell is
/// close-on-exec or closed by the child's exec).
///
/// Every child is recorded in a process-wide table until it is reaped; `ProcessSupervisor`
/// kills whatever is left in it at exit and on SIGINT/SIGTERM/SIGHUP/SIGQUIT.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let executable: String
    public let arguments: [String]
    /// Where the child's standard output and error go (nil: /dev/null).
    public let logPath: String?

    private let lock = NSLock()
    /// The raw wait status once reaped.
    private var waitStatus: Int32?

    private init(pid: pid_t, executable: String, arguments: [String], logPath: String?) {
        self.pid = pid
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
    }

    /// Start `executable` with `arguments`; output is appended to `logPath` (or discarded), or
    /// standard input and output are `standardInput` and `standardOutput` (then only standard error
    /// goes to `logPath`).
    /// `inheriting` descriptors become the child's 3, 4, … in order; `environment` entries are
    /// added to (or replace those of) the shell's environment. `register` false leaves the child
    /// out of the table the cleanup handlers kill (a helper that must outlive the shell's death).
    public static func spawn(_ executable: String, _ arguments: [String], logPath: String?,
                             inheriting: [Int32] = [], environment: [String: String] = [:],
                             register: Bool = true, standardInput: Int32? = nil,
                             standardOutput: Int32? = nil) throws(ProcessError) -> ChildProcess {
        guard access(executable, X_OK) == 0 else { throw ProcessError("\(executable) is not an executable file") }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attr: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attr)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attr)
        }
        // Standard input and output: the given descriptors (pipes to the shell), else /dev/null and the
        // log; standard error: the log.
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, logPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let standardOutput {
            posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
        }
        // Each inherited descriptor is first copied above 100 (close-on-exec) so that no source
        // is already the target number; dup2 onto the target clears close-on-exec there.
        var copies: [Int32] = []
        defer { for c in copies { close(c) } }
        for (i, fd) in inheriting.enumerated() {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 100)
            guard copy >= 0 else { throw ProcessError("cannot pass descriptor \(fd) to \(executable): \(String(cString: strerror(errno)))") }
            copies.append(copy)
            posix_spawn_file_actions_adddup2(&actions, copy, Int32(3 + i))
        }
        // Own process group: Ctrl-C at the terminal goes to the shell, not to the nodes. Signals
        // unblocked, and those the shell may ignore or catch back to their defaults.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envp: [UnsafeMutablePointer<CChar>?] = env.keys.sorted().map { strdup("\($0)=\(env[$0]!)") } + [nil]
        defer { for p in envp { free(p) } }

        // No cleanup signal between the spawn and the registration: the child would be missed.
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&blocked, s) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { buf in
            envp.withUnsafeBufferPointer { e in
                posix_spawn(&pid, executable, &actions, &attr, buf.baseAddress!, e.baseAddress!)
            }
        }
        guard rc == 0 else {
            throw ProcessError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        guard !register || ChildTable.add(pid) else {
            _ = kill(pid, SIGKILL)
            var st: Int32 = 0
            _ = waitpid(pid, &st, 0)
            throw ProcessError("too many child processes (\(ChildTable.capacity))")
        }
        return ChildProcess(pid: pid, executable: executable, arguments: arguments, logPath: logPath)
    }

    /// Send `sig` unless the child was already reaped. Returns whether the signal was sent.
    @discardableResult
    public func signal(_ sig: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard waitStatus == nil else { return false }
        return kill(pid, sig) == 0
    }

    /// Send `sig` to the child's whole process group (it leads one of its own: a command run
    /// through a shell has the shell and what it started in it) unless the child was reaped.
    @discardableResult
    public func signalGroup(_ sig: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard waitStatus == nil else { return false }
        return kill(-pid, sig) == 0
    }

    /// SIGKILL the child (with `group`, its whole process group) and reap it. Safe to call twice.
    public func terminate(group: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        guard waitStatus == nil else { return }
        if group { _ = kill(-pid, SIGKILL) }
        _ = kill(pid, SIGKILL)
        reapLocked(blocking: true)
    }

    /// Whether the child has ended (reaping it if so). Does not block.
    public var hasExited: Bool {
        lock.lock()
        defer { lock.unlock() }
        if waitStatus != nil { return true }
        return reapLocked(blocking: false)
    }

    /// Whether the child is still running.
    public var isRunning: Bool { !hasExited }

    /// Wait up to `limit` for the child to end; returns whether it did.
    public func waitForExit(within limit: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if hasExited { return true }
            usleep(5_000)
        }
        return hasExited
    }

    /// "exited with status 1", "killed by signal 9", or "running".
    public var exitDescription: String {
        lock.lock()
        defer { lock.unlock() }
        guard let st = waitStatus else { return "running" }
        if st == -1 { return "ended (status unknown)" }
        if st & 0x7f == 0 { return "exited with status \((st >> 8) & 0xff)" }
        return "killed by signal \(st & 0x7f)"
    }

    /// The last `lines` lines of the child's log.
    public func logTail(_ lines: Int = 20) -> String {
        guard let logPath, let data = FileManager.default.contents(atPath: logPath) else { return "" }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reap if the child has ended (or, `blocking`, once it ends). Returns whether it was reaped.
    /// Called with `lock` held.
    @discardableResult
    private func reapLocked(blocking: Bool) -> Bool {
        if !blocking {
            #if os(Linux)
            // Look without reaping, so the pid stays in the table until it is removed from it.
            var info = siginfo_t()
            let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if r == 0 && info._sifields._sigchld.si_pid == 0 { return false }
            #else
            if kill(pid, 0) == 0 {
                // Alive or a zombie; a zombie is reaped below only if waitpid says so.
                ChildTable.remove(pid)
                var st: Int32 = 0
                let r = waitpid(pid, &st, WNOHANG)
                if r == 0 {
                    _ = ChildTable.add(pid)
                    return false
                }
                waitStatus = r == pid ? st : -1
                return true
            }
            #endif
        }
        ChildTable.remove(pid)
        var st: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &st, 0) } while r == -1 && errno == EINTR
        waitStatus = r == pid ? st : -1
        return true
    }
}

/// Finds the `raftd` binary, hands out the parent pipe, and makes sure no child outlives the shell.
public enum ProcessSupervisor {
    /// The `raftd` binary: `$RAFTD_BIN`, or the one next to the running executable (also one and
    /// two folders up, for test bundles).
    public static func locateRaftd() throws(ProcessError) -> String {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["RAFTD_BIN"], !env.isEmpty {
            guard fm.isExecutableFile(atPath: env) else { throw ProcessError("RAFTD_BIN=\(env) is not an executable file") }
            return env
        }
        var starts: [URL] = []
        if let exe = Bundle.main.executablePath { starts.append(URL(fileURLWithPath: exe).resolvingSymlinksInPath()) }
        #if os(Linux)
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(URL(fileURLWithPath: exe)) }
        #endif
        if let arg0 = CommandLine.arguments.first {
            starts.append(URL(fileURLWithPath: arg0).resolvingSymlinksInPath())
        }
        var tried: [String] = []
        for start in starts {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<3 {
                let candidate = dir.appendingPathComponent("raftd").path
                if fm.isExecutableFile(atPath: candidate) { return candidate }
                if !tried.contains(candidate) { tried.append(candidate) }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw ProcessError("cannot find the raftd binary (looked at \(tried.prefix(3).joined(separator: ", "))); "
                           + "build it with `swift build --product raftd` or set RAFTD_BIN")
    }

    private static let pipeLock = NSLock()
    nonisolated(unsafe) private static var pipeEnds: (read: Int32, write: Int32)?

    /// The read end of a pipe whose write end only this process holds (close-on-exec, never
    /// closed): pass it to every child that must end with this process (`raftd --parent-fd`, the
    /// cleanup guardian). However this process ends, even by SIGKILL, the kernel closes the write
    /// end and every child reading the pipe sees end-of-file.
    public static func parentPipe() throws(ProcessError) -> Int32 {
        pipeLock.lock()
        defer { pipeLock.unlock() }
        if let ends = pipeEnds { return ends.read }
        guard let ends = SystemCalls.closeOnExecPipe() else {
            throw ProcessError("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        pipeEnds = ends
        return ends.read
    }

    nonisolated(unsafe) private static var atexitInstalled = false
    nonisolated(unsafe) private static var handledSignals: Set<Int32> = []
    private static let installLock = NSLock()

    /// Make sure children do not outlive this process: at exit, on a crash (SIGSEGV, SIGBUS,
    /// SIGILL, SIGFPE, SIGTRAP, SIGABRT), and on each of `signals`. The handler kills the
    /// children, then puts back the action installed before it and lets the signal take its
    /// course. The shell leaves SIGINT out (Ctrl-C interrupts a command there); `raftsh run` and
    /// `bench` include it.
    public static func installCleanupHandlers(signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]) {
        installLock.lock()
        defer { installLock.unlock() }
        _ = ChildTable.slots  // initialize before any handler can run
        if !atexitInstalled {
            atexitInstalled = true
            atexit { ChildTable.killAllFromSignalContext() }
        }
        for s in signals + [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT] where !handledSignals.contains(s) && s > 0 && s < 65 {
            handledSignals.insert(s)
            var action = sigaction()
            #if canImport(Darwin)
            action.__sigaction_u.__sa_handler = cleanupSignalHandler
            #else
            action.__sigaction_handler.sa_handler = cleanupSignalHandler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART | SA_ONSTACK
            _ = sigaction(s, &action, previousActions + Int(s))
        }
    }

    /// The pids of every child started and not reaped yet.
    public static var livePIDs: [pid_t] { ChildTable.snapshot() }

    /// SIGKILL every child still in the table (without reaping; their owners reap them).
    public static func killAll() { ChildTable.killAllFromSignalContext() }

    /// Whether a process with this pid exists and is not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let rest = stat[stat.index(after: close)...].drop(while: { $0 == " " })
            if rest.first == "Z" { return false }
        }
        #endif
        return true
    }
}
