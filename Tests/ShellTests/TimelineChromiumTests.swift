import Foundation
import Testing

/// The timeline page in a real browser: headless Chromium (Debian's package, installed by
/// scripts/ensure-chromium.sh when missing) loads the file `raftsh run --timeline` wrote, runs its
/// script, and the DOM it dumps shows the lanes and operations drawn and no script error.
@Suite("Timeline in Chromium", .serialized)
struct TimelineChromiumTests {
    /// The repository, found from this file's path.
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Chromium's path, installing it when missing.
    static func chromium() throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [repository + "/scripts/ensure-chromium.sh"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, !path.isEmpty else {
            throw PTYError(description: "chromium is missing and scripts/ensure-chromium.sh could not install it")
        }
        return path
    }

    /// Runs chromium headless with `arguments` on `file`; returns its stdout.
    static func chromium(_ arguments: [String], file: String, home: TempDir) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try chromium())
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + home.file("chromium")]
            + arguments + ["file://" + file]
        let outPath = home.file("chromium-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline { usleep(50_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        try out.close()
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    /// The attributes of the `#render-status` element in `dom`.
    static func renderStatus(_ dom: String) -> [String: String] {
        guard let start = dom.range(of: "<div id=\"render-status\"") else { return [:] }
        let tag = dom[start.lowerBound...].prefix { $0 != ">" }
        var out: [String: String] = [:]
        for part in tag.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { out[String(kv[0])] = String(kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
        }
        out["text"] = dom[start.lowerBound...].split(separator: ">", maxSplits: 1).last.map { String($0.prefix { $0 != "<" }) }
        return out
    }

    @Test("the timeline of proposal-metrics-2 renders in Chromium: 5 lanes, 500 operations, no script error")
    func proposalMetricsTimelineRenders() throws {
        let home = try TempDir()
        defer { home.remove() }
        let html = home.file("pm2.html")
        let run = try runRaftsh(["run", Self.repository + "/scenarios/proposal-metrics-2.scn", "--timeline", html, "--messages"],
                                home: home, timeout: 120)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let dom = try Self.chromium(["--dump-dom", "--virtual-time-budget=5000"], file: html, home: home)
        let status = Self.renderStatus(dom)
        #expect(status["data-error"] == nil, "script error: \(status["data-error"] ?? "")")
        #expect(status["text"] == "rendered", "the page's script did not run: \(status)")
        #expect(status["data-lanes"] == "5")
        #expect(status["data-operations"] == "500")
        #expect(status["data-operations"] == status["data-expected-operations"])
        #expect(Int(status["data-messages"] ?? "0") ?? 0 > 1000, "messages recorded and drawn")
        // And a picture of it.
        let png = home.file("pm2.png")
        _ = try Self.chromium(["--hide-scrollbars", "--window-size=1600,760", "--screenshot=" + png], file: html, home: home)
        let data = try #require(FileManager.default.contents(atPath: png))
        #expect(data.count > 10_000)
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
    }

    @Test("the timeline of a failing history from raftsh check renders the failing key's operations")
    func checkTimelineRenders() throws {
        let home = try TempDir()
        defer { home.remove() }
        let edn = home.file("bad.edn")
        try """
            {:process 0, :type :invoke, :f :write, :key "x", :value 1}
            {:process 0, :type :ok, :f :write, :key "x", :value 1}
            {:process 1, :type :invoke, :f :read, :key "x", :value nil}
            {:process 1, :type :ok, :f :read, :key "x", :value 2}
            """.write(toFile: edn, atomically: true, encoding: .utf8)
        let html = home.file("bad.html")
        let run = try runRaftsh(["check", edn, "--timeline", html], home: home)
        #expect(run.status == 1, "\(run.stdout)")
        let dom = try Self.chromium(["--dump-dom", "--virtual-time-budget=5000"], file: html, home: home)
        let status = Self.renderStatus(dom)
        #expect(status["text"] == "rendered")
        #expect(status["data-lanes"] == "0")
        #expect(status["data-operations"] == "2")
    }
}
