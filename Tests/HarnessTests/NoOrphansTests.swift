import Foundation
import Testing
import NodeTestSupport
import Harness
import RaftCore

/// The processes whose parent is `pid` (from /proc), with their command names.
private func children(of pid: pid_t) -> [(pid: pid_t, name: String)] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var out: [(pid_t, String)] = []
    for e in entries {
        guard let child = pid_t(e), let stat = try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
        let name = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 2, pid_t(fields[1]) == pid { out.append((child, name)) }
    }
    return out
}

/// Run folders whose owner file names `pid`.
private func runFolders(ownedBy pid: pid_t) -> [String] {
    let tmp = NSTemporaryDirectory()
    let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
    return names.filter { $0.hasPrefix("raftsh-udp-") }.map { (tmp as NSString).appendingPathComponent($0) }.filter {
        (try? String(contentsOfFile: "\($0)/raftsh.pid", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "\(pid)"
    }
}

/// Whatever `raftsh` left must go within a second of its death, however it died.
@Suite("Nothing outlives raftsh", .serialized)
struct NoOrphansTests {
    /// Start `raftsh run` on a scenario that holds a 3-node cluster for a minute, kill it with
    /// `sig` once its nodes run, and check that no raftd (by pid), run folder or namespace remains
    /// a second later. Whatever does remain is removed afterwards, by pid and by name.
    private func killMidScenario(_ sig: Int32, netns: Bool) throws {
        let raftd = try #require(try? ProcessSupervisor.locateRaftd(), "build raftd first (swift build --product raftd)")
        let raftsh = URL(fileURLWithPath: raftd).deletingLastPathComponent().appendingPathComponent("raftsh").path
        try #require(FileManager.default.isExecutableFile(atPath: raftsh), "build raftsh first (no \(raftsh))")
        let dir = try makeTempDir("orphans")
        defer { removeDir(dir) }
        let scenario = "\(dir)/hold.scn"
        try "cluster 3 udp\(netns ? " netns" : "")\nwait until leader within 10s\nwait 60s\n"
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let shell = try ChildProcess.spawn(raftsh, ["run", scenario], logPath: "\(dir)/raftsh.log")
        var nodes: [pid_t] = []
        var folders: [String] = []
        var namespaces: [String] = []
        defer {
            shell.terminate()
            for pid in nodes where ProcessSupervisor.isAlive(pid) { kill(pid, SIGKILL) }
            for f in folders { try? FileManager.default.removeItem(atPath: f) }
            for ns in NamespaceNetwork.existing(ownedBy: shell.pid) {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
                p.arguments = ["netns", "delete", ns]
                try? p.run()
                p.waitUntilExit()
            }
        }
        let up = eventually(within: .seconds(20)) {
            nodes = children(of: shell.pid).filter { $0.name == "raftd" }.map(\.pid)
            folders = runFolders(ownedBy: shell.pid)
            namespaces = NamespaceNetwork.existing(ownedBy: shell.pid)
            let logs = folders.first.map { f in (1...3).compactMap { try? String(contentsOfFile: "\(f)/node\($0).log", encoding: .utf8) } } ?? []
            return nodes.count == 3 && folders.count == 1 && (!netns || namespaces.count == 4)
                && logs.contains { $0.contains("is leader") }
        }
        let log = (try? String(contentsOfFile: "\(dir)/raftsh.log", encoding: .utf8)) ?? ""
        try #require(up, "raftsh did not get its nodes up: nodes \(nodes), folders \(folders), namespaces \(namespaces)\n\(log)")
        #expect(shell.signal(sig))
        let clean = eventually(within: .seconds(1)) {
            nodes.allSatisfy { !ProcessSupervisor.isAlive($0) }
                && folders.allSatisfy { !FileManager.default.fileExists(atPath: $0) }
                && NamespaceNetwork.existing(ownedBy: shell.pid).isEmpty
        }
        let left = "nodes \(nodes.filter(ProcessSupervisor.isAlive)), "
            + "folders \(folders.filter { FileManager.default.fileExists(atPath: $0) }), "
            + "namespaces \(NamespaceNetwork.existing(ownedBy: shell.pid))"
        #expect(clean, "left behind: \(left)")
        #expect(shell.waitForExit(within: .seconds(5)))
    }

    @Test(.timeLimit(.minutes(1)))
    func sigkillOfRaftshLeavesNothing() throws {
        try killMidScenario(SIGKILL, netns: false)
    }

    @Test(.timeLimit(.minutes(1)))
    func sighupOfRaftshLeavesNothing() throws {
        try killMidScenario(SIGHUP, netns: false)
    }

    @Test(.timeLimit(.minutes(1)), .enabled(if: NamespaceNetwork.unavailableReason() == nil, "needs root, ip, nft and tc"))
    func sigkillOfRaftshOnANetnsClusterLeavesNoNamespace() throws {
        try killMidScenario(SIGKILL, netns: true)
    }
}
