import Foundation
import Testing
import ClusterModel
import Harness
import RaftCore
import KV
import Scenario

/// The package's root folder (tests run scenarios and test nodes from it).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Nodes speaking Maelstrom's protocol under raftsh's language: raftsh's own Raft (`raftd
/// --maelstrom`) passes scenarios with partitions and crashes; a node without consensus fails
/// `expect linearizable`; malformed output is counted, never fatal; processes end with the cluster.
@Suite("Exec clusters of Maelstrom nodes", .serialized)
struct ExecClusterTests {
    func raftdCommand() throws -> String {
        let raftd = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        return "\(raftd) --maelstrom --data \"$RAFTSH_NODE_DIR\""
    }

    /// Every scenario under `scenarios/exec/` passes on `raftd --maelstrom`.
    @Test(.timeLimit(.minutes(2)))
    func raftsOwnNodesPassTheExecScenarios() throws {
        let command = try raftdCommand()
        let factory = ClusterFactory(forceExec: command)
        defer { factory.shutdownAll() }
        var runner = ScenarioRunner()
        runner.makeCluster = { cfg, seed, opts in try factory.make(cfg, seed: seed, options: opts) }
        let files = try ScenarioRunner.collect([packageRoot + "/scenarios/exec"])
        #expect(files.count >= 3)
        for file in files {
            let source = try String(contentsOfFile: file, encoding: .utf8)
            guard ScenarioRunner.modes(of: source).contains("exec") else { continue }
            let r = runner.run(file: file, source: source, seed: nil)
            factory.shutdownAll()
            #expect(r.status == .passed, "\(file): \(r.errorText ?? "")\n\(r.output.joined(separator: "\n"))")
        }
    }

    /// Every node answering from its own dictionary is not linearizable, and the checker says so.
    @Test(.timeLimit(.minutes(1)))
    func aNodeWithoutConsensusFailsLinearizability() throws {
        let c = try ExecCluster(options: ExecClusterOptions(nodes: 3, command: "python3 \(packageRoot)/scenarios/exec/local_dict.py"))
        defer { c.shutdown() }
        let (lines, failure) = runScenario("""
            put x 1 via 1
            partition 1 | 2,3
            put x 2 via 2
            get x via 1
            expect linearizable
            """, on: c)
        let f = try #require(failure, "a node without consensus passed:\n\(lines.joined(separator: "\n"))")
        #expect(f.message.contains("expect linearizable"), "\(f)")
        #expect(f.seen?.contains("not linearizable on key x") == true, "\(f)")
    }

    /// What raftsh cannot know of a foreign node is said, not faked.
    @Test(.timeLimit(.minutes(1)))
    func inspectionLinesAreNotAvailable() throws {
        let c = try ExecCluster(options: ExecClusterOptions(nodes: 3, command: "python3 \(packageRoot)/scenarios/exec/local_dict.py"))
        defer { c.shutdown() }
        for line in ["expect invariants", "expect role 1 == leader", "step", "wait until leader within 1s", "let L = leader",
                     "expect converged"] {
            let (_, failure) = runScenario(line, on: c)
            #expect(failure?.message.contains("not available on exec clusters") == true, "\(line): \(String(describing: failure))")
        }
        let (lines, failure) = runScenario("put a 1\nstatus\nlog 2", on: c)
        #expect(failure == nil, "\(String(describing: failure))")
        let table = lines.joined(separator: "\n")
        #expect(table.contains("role and term: not available on exec clusters"), "\(table)")
        #expect(table.contains("standard error of node 2"), "\(table)")
    }

    /// A node that writes garbage, to nobody, or replies to nothing is counted and dropped; the
    /// shell goes on.
    @Test(.timeLimit(.minutes(1)))
    func malformedOutputIsCountedNeverFatal() throws {
        let script = """
            import json, sys
            for line in sys.stdin:
                m = json.loads(line)
                b = m["body"]
                r = lambda body: print(json.dumps({"src": b.get("node_id", m["dest"]), "dest": m["src"], "body": body}), flush=True)
                if b["type"] == "init":
                    print("this is not json", flush=True)
                    print(json.dumps({"src": b["node_id"], "dest": "x9", "body": {"type": "hello"}}), flush=True)
                    print(json.dumps({"src": b["node_id"], "dest": "c5", "body": {"type": "read_ok", "in_reply_to": 999}}), flush=True)
                    r({"type": "init_ok", "in_reply_to": b["msg_id"]})
            """
        let path = NSTemporaryDirectory() + "raftsh-garbage-node-\(getpid()).py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try ExecCluster(options: ExecClusterOptions(nodes: 2, command: "python3 \(path)"))
        defer { c.shutdown() }
        let counters = try #require(c.counters(of: 1))
        #expect(counters.malformed == 1)
        #expect(counters.unknownDestination == 1)
        #expect(counters.repliesToNothing == 1)
        #expect(c.status(of: 2).counters?.malformed == 3)
        // Requests get no answer: a timeout, not a crash.
        let r = c.perform(.get(key: "k"), via: 1, timeout: 300_000_000)
        #expect(r.failure == "timeout")
    }

    /// Crash, restart, pause and resume act on the processes; shutdown ends every one of them.
    @Test(.timeLimit(.minutes(1)))
    func processesFollowTheFaultsAndEndWithTheCluster() throws {
        let c = try ExecCluster(options: ExecClusterOptions(nodes: 3, command: try raftdCommand()))
        let (lines, failure) = runScenario("""
            wait 1s
            put x 1
            fail 2
            pause 3
            expect put x 2 timeout 500ms fails
            resume 3
            restart 2
            wait 1s
            put x 3
            expect get x == 3
            status
            """, on: c)
        #expect(failure == nil, "\(String(describing: failure))\n\(lines.joined(separator: "\n"))")
        #expect(c.status(of: 2).state == .up && c.status(of: 3).state == .up)
        let pids = c.nodeIDs.compactMap { c.pid(of: $0) }
        #expect(pids.count == 3)
        c.shutdown()
        for pid in pids { #expect(kill(pid, 0) != 0, "process \(pid) outlived its cluster") }
    }

    /// Held messages reach nobody until released, then arrive in the order held; dropped ones never
    /// do. The kinds are raftd's message types (its Raft kind words).
    @Test(.timeLimit(.minutes(1)))
    func holdsQueueWhatNodesSendEachOther() throws {
        let c = try ExecCluster(options: ExecClusterOptions(nodes: 3, command: try raftdCommand()))
        defer { c.shutdown() }
        c.wait(1_000_000_000)
        let into3 = [Link(1, 3), Link(2, 3)]
        try c.hold(into3, kinds: nil)
        let before = try #require(c.counters(of: 3))
        #expect(c.wait(until: { (c.counters(of: 3)?.held ?? 0) >= 3 }, within: 5_000_000_000), "nothing was held")
        let during = try #require(c.counters(of: 3))
        #expect(during.received == before.received, "a message on a held link was delivered")
        let held = c.heldMessages(on: into3)
        // The nodes keep sending: more may have been held since the counters were read.
        #expect(held.count >= during.held - before.held)
        #expect(held.allSatisfy { Message.Kind(word: $0.kind) != nil && into3.contains(Link($0.from, $0.to)) })
        #expect(held.allSatisfy { $0.description.contains("->") })
        #expect(c.holds.map(\.link) == into3 && c.holds.allSatisfy { $0.kinds == nil })
        let released = c.release(into3)
        #expect(Array(released.prefix(held.count)) == held, "released in the order held")
        #expect(c.holds.isEmpty && c.heldMessages(on: nil).isEmpty)
        #expect(c.counters(of: 3)!.received >= during.received + held.count)
        // Only one kind: heartbeats, then drop them.
        try c.hold([Link(1, 2), Link(1, 3), Link(2, 1), Link(2, 3), Link(3, 1), Link(3, 2)], kinds: ["heartbeat"])
        #expect(c.wait(until: { !c.heldMessages(on: nil).isEmpty }, within: 5_000_000_000), "no heartbeat held")
        let heartbeats = c.heldMessages(on: nil)
        #expect(heartbeats.allSatisfy { $0.kind == "heartbeat" })
        let droppedBefore = c.nodeIDs.compactMap { c.counters(of: $0)?.dropped }.reduce(0, +)
        let dropped = c.dropHeld(c.holds.map(\.link))
        #expect(dropped.count >= heartbeats.count)
        #expect(c.nodeIDs.compactMap { c.counters(of: $0)?.dropped }.reduce(0, +) == droppedBefore + dropped.count)
    }
}

/// Exec nodes die with raftsh, however it dies: the parent-death signal (`setpriv`), the end of
/// their standard input, and the cleanup handlers; the run folder goes with the guardian.
@Suite("Exec nodes do not outlive raftsh", .serialized)
struct ExecNoOrphansTests {
    @Test(.timeLimit(.minutes(1)), arguments: [SIGKILL, SIGTERM])
    func nodesEndWithTheShell(_ sig: Int32) throws {
        let raftd = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first")
        let raftsh = URL(fileURLWithPath: raftd).deletingLastPathComponent().appendingPathComponent("raftsh").path
        let dir = NSTemporaryDirectory() + "raftsh-exec-orphans-\(getpid())-\(sig)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scenario = "\(dir)/hold.scn"
        try "cluster 3 exec \"python3 \(packageRoot)/scenarios/exec/local_dict.py\"\nwait 60s\n"
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let shell = try ChildProcess.spawn(raftsh, ["run", "--verbose", scenario], logPath: "\(dir)/raftsh.log")
        defer { shell.terminate() }
        var nodes: [pid_t] = []
        var folder: String?
        let up = (0..<200).contains { _ in
            nodes = descendants(of: shell.pid).filter { $0.name.hasPrefix("python") }.map(\.pid)
            // The run folder is the parent of the node folder each node gets in its environment.
            folder = nodes.first.flatMap { pid in
                (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")))
                    .flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\0").first { $0.hasPrefix("RAFTSH_NODE_DIR=") } }
                    .map { URL(fileURLWithPath: String($0.dropFirst("RAFTSH_NODE_DIR=".count))).deletingLastPathComponent().path }
            }
            if nodes.count == 3 && folder != nil { return true }
            usleep(50_000)
            return false
        }
        defer { for pid in nodes { kill(pid, SIGKILL) } }
        try #require(up, "the nodes did not start: \((try? String(contentsOfFile: "\(dir)/raftsh.log", encoding: .utf8)) ?? "")")
        #expect(shell.signal(sig))
        // Up to 5 s: the whole suite runs in parallel on 2 cores, and cleanup is a few process hops.
        let gone = (0..<250).contains { _ in
            if nodes.allSatisfy({ kill($0, 0) != 0 }) && !FileManager.default.fileExists(atPath: folder!) { return true }
            usleep(20_000)
            return false
        }
        #expect(gone, "left behind: nodes \(nodes.filter { kill($0, 0) == 0 }), folder \(FileManager.default.fileExists(atPath: folder!) ? folder! : "-")")
    }

    /// Every process below `pid` (children, grandchildren…), with its command name.
    private func descendants(of pid: pid_t) -> [(pid: pid_t, name: String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var parent: [pid_t: pid_t] = [:], names: [pid_t: String] = [:]
        for e in entries {
            guard let p = pid_t(e), let stat = try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            names[p] = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, let pp = pid_t(fields[1]) { parent[p] = pp }
        }
        return names.keys.sorted().filter { p in
            var q = parent[p]
            while let x = q, x > 1 { if x == pid { return true }; q = parent[x] }
            return false
        }.map { ($0, names[$0]!) }
    }
}
