import Foundation
import Testing
import NodeTestSupport
import Harness
import RaftCore
import KV
import Wire
import Node

/// The real `raftd` binary, found next to the test bundle.
func raftdPath() -> String? {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = me.deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("raftd").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

/// Processes started by a test; `killAll()` SIGKILLs every one still running, by pid.
final class ProcessGroup {
    private(set) var running: [NodeID: ChildProcess] = [:]
    private var all: [ChildProcess] = []
    let binary: String
    let logDir: String

    init(binary: String, logDir: String) {
        self.binary = binary
        self.logDir = logDir
    }

    /// Start raftd with `arguments`; `socket`, if given, becomes its descriptor 3 (`--listen-fd 3`).
    @discardableResult
    func spawn(_ id: NodeID, _ arguments: [String], socket: BoundUDPSocket? = nil) throws -> ChildProcess {
        let logPath = logDir + "/raftd-\(id)-\(all.count).log"
        let p: ChildProcess
        do {
            p = try ChildProcess.spawn(binary, arguments + (socket == nil ? [] : ["--listen-fd", "3"]), logPath: logPath,
                                       inheriting: socket.map { [$0.fd] } ?? [])
        } catch {
            throw TestFailure(error.message)
        }
        all.append(p)
        running[id] = p
        return p
    }

    func sigkill(_ id: NodeID) {
        running.removeValue(forKey: id)?.terminate()
    }

    func killAll() {
        for p in all { p.terminate() }
        running.removeAll()
    }

    /// Wait (bounded) for `p` to exit; returns how it ended, or nil if it still runs.
    func exitDescription(_ p: ChildProcess, within limit: Duration) -> String? {
        p.waitForExit(within: limit) ? p.exitDescription : nil
    }

    func logs() -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: logDir))?.sorted() ?? []
        return files.map { f in
            "--- \(f)\n" + ((try? String(contentsOfFile: logDir + "/" + f, encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }
}

@Suite("raftd processes", .serialized)
struct RaftdProcessTests {
    @Test func acknowledgedWriteSurvivesSIGKILL() throws {
        guard let binary = raftdPath() else {
            print("note: raftd binary not found next to \(CommandLine.arguments[0]); skipping the process test")
            return
        }
        // Ports held by the test from before the first start to after the last one.
        let sockets = try boundSockets(3)
        let ports = sockets.map(\.port)
        let ids: [NodeID] = [1, 2, 3]
        let peers = ids.map { "\($0)=127.0.0.1:\(ports[Int($0) - 1])" }.joined(separator: ",")
        var dirs: [NodeID: String] = [:]
        for id in ids { dirs[id] = try makeTempDir("raftd\(id)") }
        let logDir = try makeTempDir("raftd-logs")
        let procs = ProcessGroup(binary: binary, logDir: logDir)
        defer {
            procs.killAll()
            for s in sockets { s.close() }
            for d in dirs.values { removeDir(d) }
            removeDir(logDir)
        }
        func start(_ id: NodeID) throws { try procs.spawn(id, args(id), socket: sockets[Int(id) - 1]) }
        func args(_ id: NodeID) -> [String] {
            ["--id", "\(id)", "--listen", "127.0.0.1:\(ports[Int(id) - 1])", "--peers", peers,
             "--data", dirs[id]!, "--cluster-key", "proc-key"]
        }
        for id in ids { try start(id) }

        var nodes: [NodeID: String] = [:]
        for id in ids { nodes[id] = "127.0.0.1:\(ports[Int(id) - 1])" }
        let client = try UDPClient(nodes: nodes, clusterKey: "proc-key", clientID: 77)
        defer { client.close() }
        guard let leader = waitForLeader(client, among: ids, within: .seconds(10)) else {
            Issue.record("no leader among raftd processes within 10s\n\(procs.logs())")
            return
        }
        let put = client.perform(.put(key: "durable", value: "yes"), timeout: .seconds(5))
        #expect(put.outcome == .ok(.ok), "put: \(String(describing: put.outcome))\n\(procs.logs())")

        // SIGKILL the leader that acknowledged the write, then restart it on the same directory.
        procs.sigkill(leader)
        try start(leader)
        let back = eventually(within: .seconds(10)) {
            client.control(.localGet(key: "durable"), to: leader, timeout: .milliseconds(300)) == .localValue("yes")
        }
        #expect(back, "restarted node \(leader) lacks the acknowledged write\n\(procs.logs())")
        let get = client.perform(.get(key: "durable"), timeout: .seconds(5))
        #expect(get.outcome == .ok(.value("yes")), "get: \(String(describing: get.outcome))")

        // Everyone at once: only what reached the disks remains, and the write did.
        for id in ids { procs.sigkill(id) }
        for id in ids { try start(id) }
        let again = client.perform(.get(key: "durable"), timeout: .seconds(10))
        #expect(again.outcome == .ok(.value("yes")), "get after killing all: \(String(describing: again.outcome))\n\(procs.logs())")

        // SIGTERM stops a node cleanly.
        let p = try #require(procs.running[2])
        p.signal(SIGTERM)
        #expect(procs.exitDescription(p, within: .seconds(5)) == "exited with status 0", "\(procs.logs())")
    }

    @Test func startupErrorsExitWithStatus1() throws {
        guard let binary = raftdPath() else {
            print("note: raftd binary not found next to \(CommandLine.arguments[0]); skipping the process test")
            return
        }
        let sockets = try boundSockets(2)
        let ports = sockets.map(\.port)
        let dir = try makeTempDir("raftd-err")
        let logDir = try makeTempDir("raftd-err-logs")
        let procs = ProcessGroup(binary: binary, logDir: logDir)
        defer {
            procs.killAll()
            for s in sockets { s.close() }
            removeDir(dir)
            removeDir(logDir)
        }
        let peers = "1=127.0.0.1:\(ports[0]),2=127.0.0.1:\(ports[1])"

        // Peers without this node.
        let missing = try procs.spawn(3, ["--id", "3", "--peers", peers, "--data", dir])
        #expect(procs.exitDescription(missing, within: .seconds(5)) == "exited with status 1")

        // Port in use: the test holds it (and so would a first node started on a copy of it).
        try procs.spawn(1, ["--id", "1", "--peers", peers, "--data", dir], socket: sockets[0])
        let dir2 = dir + "/second"
        #expect(eventually(within: .seconds(5)) { procs.logs().contains("listening on") })
        let clash = try procs.spawn(9, ["--id", "1", "--peers", peers, "--data", dir2])
        #expect(procs.exitDescription(clash, within: .seconds(5)) == "exited with status 1")

        // Bad duration.
        let badFlag = try procs.spawn(8, ["--id", "2", "--peers", peers, "--data", dir2, "--election", "150..300"])
        #expect(procs.exitDescription(badFlag, within: .seconds(5)) == "exited with status 1")

        // A descriptor that is not a socket; a test hook without RAFTSH_TEST_HOOKS=1.
        let notSocket = try procs.spawn(7, ["--id", "2", "--peers", peers, "--data", dir2, "--listen-fd", "0"])
        #expect(procs.exitDescription(notSocket, within: .seconds(5)) == "exited with status 1")
        let hook = try procs.spawn(6, ["--id", "2", "--peers", peers, "--data", dir2, "--test-corrupt-log-at", "3"])
        #expect(procs.exitDescription(hook, within: .seconds(5)) == "exited with status 1")

        let logs = procs.logs()
        #expect(logs.contains("does not contain this node"), "\(logs)")
        #expect(logs.contains("address already in use"), "\(logs)")
        #expect(logs.contains("is not a duration"), "\(logs)")
        #expect(logs.contains("--listen-fd 0 is not"), "\(logs)")
        #expect(logs.contains("needs RAFTSH_TEST_HOOKS=1"), "\(logs)")
    }
}
