#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends a node's process when the process that started it dies, however it dies (even SIGKILL,
/// which leaves it no chance to clean up):
///
/// - the parent passes the read end of a pipe whose write end only it holds; when the parent's
///   process ends, the kernel closes that write end and a thread here reads end-of-file;
/// - on Linux the node also asks for a parent-death signal (`PR_SET_PDEATHSIG`). The kernel sends
///   it when the *thread* that spawned the node ends, which may happen while the parent lives
///   on, so the signal is SIGUSR2 and its handler exits only if the parent process is gone
///   (`getppid()` changed); the pipe covers the rest.
///
/// Either way the process exits with status 0 at once (`_exit`): what the node acknowledged is on
/// disk already, and nobody is left to talk to it.
public enum ParentWatch {
    /// Start watching. `fd` is the inherited read end of the parent's pipe; `log` receives one
    /// line before the exit. Call once, early, from the process's main code.
    public static func start(fd: Int32, log: @escaping @Sendable (String) -> Void) {
        let parent = getppid()
        watchedParent = parent
        #if os(Linux)
        installDeathSignal()
        #endif
        // The parent may have died before the signal was asked for.
        if getppid() != parent {
            log("raftd: the process that started this node is gone; exiting")
            _exit(0)
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(WatchContext(fd: fd, log: log))
        #if canImport(Darwin)
        let rc = pthread_create(&thread, nil, { raw in
            watchPipe(Unmanaged<WatchContext>.fromOpaque(raw).takeRetainedValue())
            return nil
        }, box.toOpaque())
        #else
        let rc = pthread_create(&thread, nil, { raw in
            watchPipe(Unmanaged<WatchContext>.fromOpaque(raw!).takeRetainedValue())
            return nil
        }, box.toOpaque())
        #endif
        if rc == 0 { pthread_detach(thread) } else { box.release() }
    }
}

private final class WatchContext: @unchecked Sendable {
    let fd: Int32
    let log: @Sendable (String) -> Void
    init(fd: Int32, log: @escaping @Sendable (String) -> Void) {
        self.fd = fd
        self.log = log
    }
}

/// Blocks until the pipe reaches end-of-file (or fails), then exits the process.
private func watchPipe(_ context: WatchContext) {
    var byte: UInt8 = 0
    while true {
        let n = read(context.fd, &byte, 1)
        if n > 0 { continue }  // the parent wrote something: not an end
        if n < 0 && errno == EINTR { continue }
        break
    }
    context.log("raftd: the process that started this node is gone (its pipe closed); exiting")
    _exit(0)
}

/// The parent's pid when the watch started; read by the signal handler.
nonisolated(unsafe) private var watchedParent: pid_t = 0

#if os(Linux)
/// `prctl(PR_SET_PDEATHSIG, SIGUSR2)` with a handler that exits only when the parent process is
/// gone. `prctl` is variadic in C, so it is called through its address with a fixed signature
/// (integer arguments are passed alike either way).
private func installDeathSignal() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
        if getppid() != watchedParent { _exit(0) }
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = SA_RESTART
    _ = sigaction(SIGUSR2, &action, nil)
    typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
    let prctl = unsafeBitCast(symbol, to: Prctl.self)
    let prSetPdeathsig: Int32 = 1
    _ = prctl(prSetPdeathsig, UInt(SIGUSR2), 0, 0, 0)
}
#endif
