import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny `/bin/sh` process that removes what a cluster made on disk and in the kernel (its run
/// folder, its network namespaces) if the shell dies before it could, however it dies: SIGKILL,
/// a crash, or a signal whose handler may only kill children (deleting files is not
/// async-signal-safe).
///
/// It reads the parent pipe (`ProcessSupervisor.parentPipe()`) and acts at its end-of-file, which
/// comes when the shell's process is gone. It ignores the terminal's signals, is left out of the
/// table of children the cleanup handlers kill, and removes a folder in a short retry loop
/// because the nodes, which watch the same pipe, may still be exiting. On a normal shutdown the
/// cluster cleans up itself and then `dismiss()`es the guardian (SIGKILL by pid, reaped).
public final class CleanupGuardian {
    /// The guardian's process.
    public let process: ChildProcess

    /// Start a guardian for `folder` (nil: none) and `namespaces` (deleted with `ip netns delete`).
    /// Throws if no shell can be started.
    public init(folder: String?, namespaces: [String] = []) throws(ProcessError) {
        let script = """
            trap '' HUP INT TERM QUIT PIPE
            while IFS= read -r _; do :; done
            folder="$1"; shift
            if [ -n "$folder" ]; then
              i=0
              while [ -e "$folder" ] && [ $i -lt 100 ]; do rm -rf -- "$folder" 2>/dev/null; sleep 0.02; i=$((i+1)); done
            fi
            for ns in "$@"; do ip netns delete "$ns" 2>/dev/null; done
            exit 0
            """
        let pipe = try ProcessSupervisor.parentPipe()
        // The pipe becomes the shell's standard input (descriptor 0) through descriptor 3.
        process = try ChildProcess.spawn("/bin/sh", ["-c", "exec 0<&3 3<&-; " + script, "raftsh-guardian",
                                                     folder ?? ""] + namespaces,
                                         logPath: nil, inheriting: [pipe], register: false)
    }

    /// End the guardian: the cluster removed everything itself.
    public func dismiss() {
        process.terminate()
    }

    deinit { dismiss() }
}
