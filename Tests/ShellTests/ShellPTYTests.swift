import Foundation
import Testing

/// The real `raftsh` binary at a pseudo-terminal: what a person typing at the prompt sees.
/// Serialized: each test runs a simulated cluster, and parallel runs only make the timing noisy.
@Suite(.serialized)
struct ShellPTYTests {
    /// Starts `raftsh` (no arguments: the shell) on a fresh pty and waits for its first prompt.
    private func startShell(home: TempDir, history: String? = nil) throws -> PTYProcess {
        let shell = try PTYProcess(executable: try raftshBinary(), environment: shellEnvironment(home: home, history: history))
        try shell.waitForPrompt(1)
        return shell
    }

    /// Lines that answer a put/get with `ok`.
    private func okLines(_ screen: Screen) -> [String] {
        screen.lines.filter { $0 == "ok" || $0.hasPrefix("ok ") }
    }

    @Test("sta + Tab completes to status; Enter renders the status table")
    func tabCompletesStatus() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        shell.send("sta" + Key.tab)
        try shell.waitUntil("the line to read 'raftsh> status '") { $0.cursorLine == "raftsh> status" }
        shell.send(Key.enter)
        try shell.waitUntil("the status table with 5 node rows") { screen in
            let lines = screen.lines
            guard let header = lines.firstIndex(where: { $0.hasPrefix("node  role") }) else { return false }
            return lines.count > header + 5
        }
        let lines = shell.screen.lines
        let header = try #require(lines.firstIndex(where: { $0.hasPrefix("node  role") }), "\(shell.dump())")
        #expect(lines[header - 1].hasPrefix("raftsh> status"), "\(shell.dump())")
        for (i, row) in lines[(header + 1)...(header + 5)].enumerated() {
            let fields = row.split(separator: " ")
            #expect(fields.first.map(String.init) == "\(i + 1)", "row \(i + 1) of the status table: '\(row)'\n\(shell.dump())")
        }
        try shell.waitForPrompt(2)
    }

    @Test("Up-arrow recalls the previous line; Enter runs it again")
    func upArrowRecallsHistory() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        shell.sendLine("put x 1")
        try shell.waitUntil("an 'ok' answer") { okLines($0).count == 1 }
        try shell.waitForPrompt(2)
        shell.send(Key.up)
        try shell.waitUntil("Up to bring back 'put x 1'") { $0.cursorLine == "raftsh> put x 1" }
        shell.send(Key.enter)
        try shell.waitUntil("a second 'ok' answer") { okLines($0).count == 2 }
        try shell.waitForPrompt(3)
        #expect(shell.screen.lines.filter { $0 == "raftsh> put x 1" }.count == 2, "\(shell.dump())")
    }

    @Test("a bad line prints an error with a suggestion; the prompt comes back and still works")
    func badLineKeepsTheSession() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        shell.sendLine("pu x 1")
        try shell.waitFor("error:")
        try shell.waitForPrompt(2)
        let text = shell.screen.text
        #expect(text.contains("did you mean 'put'"), "\(shell.dump())")
        #expect(text.contains("<prompt>:1:1: error:"), "errors at the prompt are located as <prompt>:LINE:COL\n\(shell.dump())")

        shell.sendLine("get x")
        // `pu x 1` must not have run: x is still unset.
        try shell.waitUntil("an answer to 'get x'") { $0.lines.contains { $0 == "none" || $0.hasPrefix("none ") } }
        try shell.waitForPrompt(3)
        shell.sendLine("put x 1")
        try shell.waitUntil("'ok' after the error") { okLines($0).count == 1 }
        try shell.waitForPrompt(4)
    }

    @Test("save writes the session as a scenario that `raftsh run` passes")
    func saveThenRun() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }
        let file = home.file("s.scn")

        let lines = ["put x 1", "fail leader", "wait until leader within 3s", "save \(file)"]
        for (i, line) in lines.enumerated() {
            shell.sendLine(line)
            try shell.waitForPrompt(i + 2)
            #expect(!shell.screen.text.contains("error:"), "'\(line)' failed\n\(shell.dump())")
        }
        shell.sendLine("quit")
        let status = try shell.waitForExit()
        #expect(status == 0, "quit exits 0\n\(shell.dump())")

        #expect(FileManager.default.fileExists(atPath: file), "save did not write \(file)\n\(shell.dump())")
        let saved = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        for line in lines.dropLast() {
            #expect(saved.contains(line), "the saved scenario lacks '\(line)':\n\(saved)")
        }
        #expect(!saved.contains("save "), "the saved scenario should not save itself:\n\(saved)")
        let run = try runRaftsh(["run", file], home: home)
        #expect(run.status == 0, "raftsh run \(file) exited \(run.status)\nstdout:\n\(run.stdout)\nstderr:\n\(run.stderr)\nscenario:\n\(saved)")
        #expect(run.stdout.contains("1 passed, 0 failed"), "stdout:\n\(run.stdout)\nstderr:\n\(run.stderr)")
    }

    @Test("save writes what happened: an interrupted wait as the wait that ran, failed lines as comments, no help; the replay gives the same answers at the same times")
    func saveWritesWhatHappened() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }
        let file = home.file("s.scn")

        var prompts = 1
        func run(_ line: String) throws {
            shell.sendLine(line)
            prompts += 1
            try shell.waitForPrompt(prompts)
        }
        try run("put x 1")
        try run("fail leader")
        try run("wait until leader within 2s")
        try run("expect get x == 2")            // fails, after a read that the replay must make too
        shell.sendLine("wait 10h")
        usleep(300_000)
        shell.send(Key.ctrlC)                    // stops the wait after some virtual time
        prompts += 1
        try shell.waitForPrompt(prompts, timeout: 60)
        #expect(shell.screen.text.contains("error: interrupted after"), "\(shell.dump())")
        try run("get x")
        try run("help put")
        try run("pu x 1")
        try run("status")
        try run("save \(file)")
        let session = shell.screen.lines
        shell.sendLine("quit")
        _ = try shell.waitForExit()

        let saved = try String(contentsOfFile: file, encoding: .utf8)
        #expect(saved.contains("\n# failed: expect get x == 2\nget x timeout 5s\n"), "\(saved)")
        #expect(saved.contains("\n# interrupted: wait 10h\nwait "), "\(saved)")
        #expect(!saved.contains("\nwait 10h"), "the interrupted wait is saved as the wait that ran:\n\(saved)")
        #expect(saved.contains("\n# error: pu x 1\n"), "\(saved)")
        #expect(!saved.contains("help"), "help lines are not saved:\n\(saved)")

        // Every answer of the session (a line stamped with its time) comes back, in order, from the
        // replay: the same values, latencies and times, the read after the interrupted wait included.
        let replay = try runRaftsh(["run", "--verbose", file], home: home)
        #expect(replay.status == 0, "stdout:\n\(replay.stdout)\nstderr:\n\(replay.stderr)\nscenario:\n\(saved)")
        let stamped = session.filter { $0.contains("[t=") && !$0.hasPrefix("raftsh> ") }
        #expect(stamped.count >= 5, "\(shell.dump())")
        var rest = Substring(replay.stdout)
        for line in stamped {
            guard let r = rest.range(of: line) else {
                Issue.record("'\(line)' is not in the replay (in order):\n\(replay.stdout)\nscenario:\n\(saved)")
                break
            }
            rest = rest[r.upperBound...]
        }
    }

    @Test("the README's session block is the exact output of `make run` for its lines")
    func readmeSessionIsRealOutput() throws {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let readme = try String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```\n$ make run\n"), "README has no `$ make run` block")
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        let block = readme[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let inputs = block.filter { $0.hasPrefix("raftsh> ") }.map { String($0.dropFirst("raftsh> ".count)) }
        #expect(inputs.count >= 4)

        // `make run` is the shell with no arguments (seed 42), on a terminal; NO_COLOR as in the README.
        let home = try TempDir()
        defer { home.remove() }
        let shell = try PTYProcess(executable: try raftshBinary(), environment: shellEnvironment(home: home), columns: 100, rows: 60)
        defer { shell.terminate() }
        try shell.waitForPrompt(1)
        for (i, line) in inputs.enumerated() {
            shell.sendLine(line)
            try shell.waitForPrompt(i + 2)
        }
        var screen = shell.screen.lines
        #expect(screen.last == "raftsh>")
        screen.removeLast()
        #expect(screen == block, "the README's block differs from what the shell prints:\n\(screen.joined(separator: "\n"))")
    }

    @Test("COMMAND --help prints what help COMMAND prints; help covers quit and save")
    func dashDashHelpIsHelp() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        func answer(_ line: String, prompt: Int) throws -> [String] {
            shell.sendLine(line)
            try shell.waitForPrompt(prompt)
            let lines = shell.screen.lines
            let start = try #require(lines.lastIndex(of: "raftsh> " + line), "\(shell.dump())")
            return Array(lines[(start + 1)...].prefix { !$0.hasPrefix("raftsh>") })
        }
        let help = try answer("help wait", prompt: 2)
        #expect(help.first == "wait DURATION", "\(shell.dump())")
        #expect(try answer("wait --help", prompt: 3) == help)
        #expect(try answer("help quit", prompt: 4).first == "quit")
        #expect(try answer("save --help", prompt: 5).first == "save FILE")
        let overview = try answer("help", prompt: 6)
        #expect(overview.contains { $0.hasPrefix("  quit ") } && overview.contains { $0.hasPrefix("  save ") })
        #expect(overview.allSatisfy { $0.count <= 80 }, "help wraps at 80 columns\n\(shell.dump())")
    }

    @Test("errors are short: a parse error is one line and the caret block; a failed line says what and when")
    func errorsAreShort() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        shell.sendLine("get x via 9")
        try shell.waitForPrompt(2)
        var lines = shell.screen.lines
        var at = try #require(lines.lastIndex(of: "raftsh> get x via 9"), "\(shell.dump())")
        #expect(Array(lines[(at + 1)...].prefix { !$0.hasPrefix("raftsh>") }) == [
            "<prompt>:1:11: error: node 9 is out of range: the cluster has 5 nodes",
            "get x via 9",
            "          ^ expected: a node id from 1 to 5",
        ], "\(shell.dump())")

        shell.sendLine("expect get x == 1")
        try shell.waitForPrompt(3)
        lines = shell.screen.lines
        at = try #require(lines.lastIndex(of: "raftsh> expect get x == 1"), "\(shell.dump())")
        let failure = Array(lines[(at + 1)...].prefix { !$0.hasPrefix("raftsh>") })
        #expect(failure.count == 4, "\(shell.dump())")
        #expect(failure.first == "<prompt>:2:1: error: expectation failed: expect get x == 1")
        #expect(failure.last?.hasPrefix("at t=") == true && failure.last?.hasSuffix(" with seed 42") == true)

        shell.sendLine("save /nope/s.scn")
        try shell.waitForPrompt(4)
        lines = shell.screen.lines
        at = try #require(lines.lastIndex(of: "raftsh> save /nope/s.scn"), "\(shell.dump())")
        #expect(Array(lines[(at + 1)...].prefix { !$0.hasPrefix("raftsh>") }) == [
            "<prompt>:3:1: error: cannot write /nope/s.scn: no such file or directory",
        ], "no time, no seed for a file error\n\(shell.dump())")
    }

    @Test("raftsh -c runs the lines and exits with the codes of piped input")
    func dashC() throws {
        let home = try TempDir()
        defer { home.remove() }
        let ok = try runRaftsh(["-c", "put x \"a;b\"; get x"], home: home)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["ok", "a;b"], "\(ok.stdout)")
        let failed = try runRaftsh(["-c", "put x 1\nexpect get x == 2; get x"], home: home)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.split(separator: "\n").count == 2, "the line after a failure runs:\n\(failed.stdout)")
        let bad = try runRaftsh(["-c", "pu x 1; put x 1"], home: home)
        #expect(bad.status == 2, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stderr.hasPrefix("<-c>:1:1: error: unknown command 'pu'"), "\(bad.stderr)")
        let json = try runRaftsh(["-c", "put x 1; status --json"], home: home)
        let document = json.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(document.hasPrefix("{\"faults\":") && document.contains("\"time_ns\":") && document.hasSuffix("}"),
                "status --json prints one document, keys sorted:\n\(json.stdout)")
    }

    @Test("history persists: a new session's Up-arrow recalls the previous session's lines")
    func historyPersists() throws {
        let home = try TempDir()
        defer { home.remove() }
        let historyFile = home.file("hist")

        do {
            let first = try startShell(home: home, history: historyFile)
            defer { first.terminate() }
            first.sendLine("put persisted 42")
            try first.waitUntil("an 'ok' answer") { okLines($0).count == 1 }
            try first.waitForPrompt(2)
            first.sendLine("quit")
            #expect(try first.waitForExit() == 0, "\(first.dump())")
        }
        #expect(FileManager.default.fileExists(atPath: historyFile), "no history file at RAFTSH_HISTORY=\(historyFile)")

        let second = try startShell(home: home, history: historyFile)
        defer { second.terminate() }
        second.send(Key.up)
        try second.waitUntil("Up to recall the last line of the first session") { $0.cursorLine != "raftsh>" }
        // The last line typed was `quit`; whether or not it is kept, `put persisted 42` is next.
        if second.screen.cursorLine == "raftsh> quit" {
            second.send(Key.up)
        }
        try second.waitUntil("Up to recall 'put persisted 42'") { $0.cursorLine == "raftsh> put persisted 42" }
        second.send(Key.enter)
        try second.waitUntil("the recalled line to run") { okLines($0).count == 1 }
    }

    @Test("Ctrl-D on an empty line exits with status 0")
    func ctrlDExits() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }
        shell.send(Key.ctrlD)
        let status = try shell.waitForExit()
        #expect(status == 0, "\(shell.dump())")
    }

    @Test("Ctrl-C discards the line and shows a fresh prompt; the shell keeps running")
    func ctrlCClearsTheLine() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        shell.send("put y 9")
        try shell.waitUntil("the typed text") { $0.cursorLine == "raftsh> put y 9" }
        shell.send(Key.left + Key.left + Key.ctrlC)
        try shell.waitForPrompt(2)
        #expect(shell.screen.lines.contains("raftsh> put y 9^C"), "\(shell.dump())")
        #expect(shell.screen.cursorLine == "raftsh>", "\(shell.dump())")
        #expect(shell.reap() == nil, "Ctrl-C ended the shell\n\(shell.dump())")

        shell.sendLine("get y")
        try shell.waitUntil("an answer to 'get y'") { $0.lines.contains { $0 == "none" || $0.hasPrefix("none ") } }
        try shell.waitForPrompt(3)
    }

    @Test("Tab with several candidates lists them under the line and redraws it; after fail: nodes, not keys")
    func tabListsCandidates() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        shell.sendLine("put k1 1")
        try shell.waitForPrompt(2)
        shell.send("fai" + Key.tab)
        try shell.waitUntil("'fai' to complete to 'fail '") { $0.cursorLine == "raftsh> fail" }
        shell.send(Key.tab)
        try shell.waitForPrompt(3)
        try shell.waitUntil("the line to be redrawn after the list") { $0.cursorLine == "raftsh> fail" }
        let lines = shell.screen.lines
        let first = try #require(lines.lastIndex(of: "raftsh> fail"), "\(shell.dump())")
        let before = try #require(lines[..<first].lastIndex { $0.hasPrefix("raftsh> fail") }, "\(shell.dump())")
        let listed = lines[(before + 1)..<first].flatMap { $0.split(separator: " ").map(String.init) }
        for word in ["leader", "follower", "followers", "all", "rest", "1", "5"] {
            #expect(listed.contains(word), "'\(word)' not listed\n\(shell.dump())")
        }
        #expect(!listed.contains("k1"), "a key offered after 'fail'\n\(shell.dump())")
        // The redrawn line still works.
        shell.send("3" + Key.enter)
        try shell.waitFor("node 3 crashed")
    }

    @Test("completion follows the line: keys after get (the workload's too), until then conditions after wait")
    func completionFollowsTheLine() throws {
        let home = try TempDir()
        defer { home.remove() }
        let shell = try startShell(home: home)
        defer { shell.terminate() }

        // A workload uses keys k0 and k1; `get k` then completes among them.
        shell.sendLine("workload start clients 1 requests 20 keys 2")
        try shell.waitForPrompt(2)
        shell.sendLine("wait 2s")
        try shell.waitForPrompt(3)
        shell.send("get k" + Key.tab)
        try shell.waitForPrompt(4)
        try shell.waitUntil("the line to be redrawn after the list") { $0.cursorLine == "raftsh> get k" }
        let lines = shell.screen.lines
        let row = try #require(lines.lastIndex(of: "raftsh> get k"), "\(shell.dump())")
        let before = try #require(lines[..<row].lastIndex(of: "raftsh> get k"), "\(shell.dump())")
        let listed = lines[(before + 1)..<row].flatMap { $0.split(separator: " ").map(String.init) }
        #expect(listed == ["k0", "k1"], "\(shell.dump())")
        shell.send(Key.ctrlC)
        try shell.waitForPrompt(5)

        shell.send("wait un" + Key.tab)
        try shell.waitUntil("'wait un' to complete to 'wait until '") { $0.cursorLine == "raftsh> wait until" }
        shell.send("conv" + Key.tab)
        try shell.waitUntil("'conv' to complete to 'converged '") { $0.cursorLine == "raftsh> wait until converged" }
        shell.send("w" + Key.tab)
        try shell.waitUntil("'w' to complete to 'within '") { $0.cursorLine == "raftsh> wait until converged within" }
        shell.send("2s" + Key.enter)
        try shell.waitFor("converged: leader")
    }

    @Test("piped input: a failed expectation exits 1, a parse error exits 2, a clean run exits 0")
    func pipedExitCodes() throws {
        let home = try TempDir()
        defer { home.remove() }

        let failing = try runRaftsh([], input: "put x 1\nexpect get x == 2\n", home: home)
        #expect(failing.status == 1, "stdout:\n\(failing.stdout)\nstderr:\n\(failing.stderr)")

        let parseError = try runRaftsh([], input: "put x 1\npu x 1\n", home: home)
        #expect(parseError.status == 2, "stdout:\n\(parseError.stdout)\nstderr:\n\(parseError.stderr)")
        #expect((parseError.stdout + parseError.stderr).contains("error:"), "stdout:\n\(parseError.stdout)\nstderr:\n\(parseError.stderr)")

        let passing = try runRaftsh([], input: "put x 1\nexpect get x == 1\n", home: home)
        #expect(passing.status == 0, "stdout:\n\(passing.stdout)\nstderr:\n\(passing.stderr)")
        #expect(!passing.stdout.contains("raftsh> "), "no prompt when stdin is not a terminal:\n\(passing.stdout)")
    }
}
