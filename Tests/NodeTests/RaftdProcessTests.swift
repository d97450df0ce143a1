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
    private(set) var running: [NodeID: Process] = [:]
    private var all: [Process] = []
    let binary: String
    let logDir: String

    init(binary: String, logDir: String) {
        self.binary = binary
        self.logDir = logDir
    }

    @discardableResult
    func spawn(_ id: NodeID, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let logPath = logDir + "/raftd-\(id)-\(all.count).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        all.append(p)
        running[id] = p
        return p
    }

    func sigkill(_ id: NodeID) {
        guard let p = running.removeValue(forKey: id) else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    func killAll() {
        for p in all where p.isRunning {
            kill(p.processIdentifier, SIGKILL)
        }
        for p in all { p.waitUntilExit() }
        running.removeAll()
    }

    /// Wait (bounded) for `p` to exit; returns its status, or nil if it still runs.
    func exitStatus(_ p: Process, within limit: Duration) -> Int32? {
        guard eventually(within: limit, { !p.isRunning }) else { return nil }
        return p.terminationStatus
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
        let ports = try freePorts(3)
        let ids: [NodeID] = [1, 2, 3]
        let peers = ids.map { "\($0)=127.0.0.1:\(ports[Int($0) - 1])" }.joined(separator: ",")
        var dirs: [NodeID: String] = [:]
        for id in ids { dirs[id] = try makeTempDir("raftd\(id)") }
        let logDir = try makeTempDir("raftd-logs")
        let procs = ProcessGroup(binary: binary, logDir: logDir)
        defer {
            procs.killAll()
            for d in dirs.values { removeDir(d) }
            removeDir(logDir)
        }
        func args(_ id: NodeID) -> [String] {
            ["--id", "\(id)", "--listen", "127.0.0.1:\(ports[Int(id) - 1])", "--peers", peers,
             "--data", dirs[id]!, "--cluster-key", "proc-key"]
        }
        for id in ids { try procs.spawn(id, args(id)) }

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
        try procs.spawn(leader, args(leader))
        let back = eventually(within: .seconds(10)) {
            client.control(.localGet(key: "durable"), to: leader, timeout: .milliseconds(300)) == .localValue("yes")
        }
        #expect(back, "restarted node \(leader) lacks the acknowledged write\n\(procs.logs())")
        let get = client.perform(.get(key: "durable"), timeout: .seconds(5))
        #expect(get.outcome == .ok(.value("yes")), "get: \(String(describing: get.outcome))")

        // Everyone at once: only what reached the disks remains, and the write did.
        for id in ids { procs.sigkill(id) }
        for id in ids { try procs.spawn(id, args(id)) }
        let again = client.perform(.get(key: "durable"), timeout: .seconds(10))
        #expect(again.outcome == .ok(.value("yes")), "get after killing all: \(String(describing: again.outcome))\n\(procs.logs())")

        // SIGTERM stops a node cleanly.
        let p = try #require(procs.running[2])
        kill(p.processIdentifier, SIGTERM)
        #expect(procs.exitStatus(p, within: .seconds(5)) == 0, "\(procs.logs())")
    }

    @Test func startupErrorsExitWithStatus1() throws {
        guard let binary = raftdPath() else {
            print("note: raftd binary not found next to \(CommandLine.arguments[0]); skipping the process test")
            return
        }
        let ports = try freePorts(2)
        let dir = try makeTempDir("raftd-err")
        let logDir = try makeTempDir("raftd-err-logs")
        let procs = ProcessGroup(binary: binary, logDir: logDir)
        defer {
            procs.killAll()
            removeDir(dir)
            removeDir(logDir)
        }
        let peers = "1=127.0.0.1:\(ports[0]),2=127.0.0.1:\(ports[1])"

        // Peers without this node.
        let missing = try procs.spawn(3, ["--id", "3", "--peers", peers, "--data", dir])
        #expect(procs.exitStatus(missing, within: .seconds(5)) == 1)

        // Port in use: the first node holds it.
        try procs.spawn(1, ["--id", "1", "--peers", peers, "--data", dir])
        let dir2 = dir + "/second"
        #expect(eventually(within: .seconds(5)) { procs.logs().contains("listening on") })
        let clash = try procs.spawn(9, ["--id", "1", "--peers", peers, "--data", dir2])
        #expect(procs.exitStatus(clash, within: .seconds(5)) == 1)

        // Bad duration.
        let badFlag = try procs.spawn(8, ["--id", "2", "--peers", peers, "--data", dir2, "--election", "150..300"])
        #expect(procs.exitStatus(badFlag, within: .seconds(5)) == 1)

        let logs = procs.logs()
        #expect(logs.contains("does not contain this node"), "\(logs)")
        #expect(logs.contains("address already in use"), "\(logs)")
        #expect(logs.contains("is not a duration"), "\(logs)")
    }
}
