import Foundation
import Testing

/// `raftsh explore` as a process: exit codes, files, and shards run as separate processes finding
/// exactly what one unsharded run finds (`--merge`).
@Suite("raftsh explore", .serialized)
struct ExploreCLITests {
    /// The summary of an output folder.
    func summary(_ dir: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: dir + "/summary.json"))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// (seed, kind) of every failure in a summary.
    func failures(_ s: [String: Any]) -> [String] {
        ((s["failures"] as? [[String: Any]]) ?? []).map { "\($0["seed"]!) \($0["kind"]!)" }
    }

    @Test("three shards in three processes find what one run finds; --merge reports it")
    func shardsFindWhatOneRunFinds() throws {
        let home = try TempDir()
        defer { home.remove() }
        let args = ["explore", "--seeds", "1..30", "--bug", "no-truncate", "--shrink", "0", "--quiet", "--jobs", "1"]
        let whole = try runRaftsh(args + ["--out", home.file("whole")], home: home, timeout: 300)
        #expect(whole.status == 1, "a bug is found: exit 1\n\(whole.stdout)\n\(whole.stderr)")
        var shardDirs: [String] = []
        for k in 0..<3 {
            let dir = home.file("shard-\(k)")
            shardDirs.append(dir)
            let r = try runRaftsh(args + ["--shard", "\(k)/3", "--out", dir], home: home, timeout: 300)
            #expect(r.status == 1 || r.status == 0, "\(r.stderr)")
        }
        let wholeFailures = failures(try summary(home.file("whole")))
        #expect(!wholeFailures.isEmpty)
        let shardFailures = try shardDirs.flatMap { failures(try summary($0)) }
        #expect(Set(shardFailures) == Set(wholeFailures))
        #expect(shardFailures.count == wholeFailures.count, "disjoint shards")
        let merged = try runRaftsh(["explore", "--merge"] + shardDirs, home: home)
        #expect(merged.status == 1)
        #expect(merged.stdout.contains("30 runs"), "\(merged.stdout)")
        #expect(merged.stdout.contains("\(wholeFailures.count) failing seed"), "\(merged.stdout)")
    }

    @Test("no failure: exit 0; a finding: the shrunk scenario fails the same way under raftsh run")
    func exitCodesAndReproduction() throws {
        let home = try TempDir()
        defer { home.remove() }
        let clean = try runRaftsh(["explore", "--seeds", "1..6", "--quiet"], home: home, timeout: 300)
        #expect(clean.status == 0, "\(clean.stdout)\n\(clean.stderr)")
        #expect(clean.stdout.contains("no failures"))
        let dir = home.file("found")
        let found = try runRaftsh(["explore", "--seeds", "1..40", "--bug", "no-truncate", "--stop-after", "1", "--shrink", "1",
                                   "--quiet", "--out", dir], home: home, timeout: 300)
        #expect(found.status == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let minFile = try #require(files.first { $0.hasSuffix(".min.scn") }, "\(files)")
        #expect(files.contains { $0.hasSuffix(".min.html") })
        let rerun = try runRaftsh(["run", dir + "/" + minFile], home: home, timeout: 120)
        #expect(rerun.status == 1, "the shrunk scenario fails under raftsh run\n\(rerun.stdout)")
        let s = try summary(dir)
        let kind = try #require((s["shrunk"] as? [[String: Any]])?.first?["kind"] as? String)
        #expect(rerun.stdout.contains(kind), "fails with \(kind):\n\(rerun.stdout)")
    }

    @Test("bad options are refused with a message")
    func badOptions() throws {
        let home = try TempDir()
        defer { home.remove() }
        for args in [["--bug", "nope"], ["--shard", "3/3"], ["--seeds", "5..1"], ["--faults", "crash,flood"]] {
            let r = try runRaftsh(["explore"] + args, home: home)
            #expect(r.status != 0 && r.status != 1, "\(args): exit \(r.status)")
            #expect(!r.stderr.isEmpty)
        }
    }
}
