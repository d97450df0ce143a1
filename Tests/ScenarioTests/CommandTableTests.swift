import Foundation
import Testing
@testable import Scenario

@Suite struct CommandTableTests {
    @Test func namesAreUniqueAndSynopsesStartWithThem() {
        let names = CommandTable.all.map(\.name)
        #expect(Set(names).count == names.count)
        for spec in CommandTable.all {
            #expect(spec.synopsis.hasPrefix(spec.name), "\(spec.name)")
            #expect(!spec.summary.isEmpty && !spec.summary.contains("\n"), "\(spec.name)")
            #expect(CommandTable.spec(named: spec.name) == spec)
        }
        for category in CommandCategory.allCases {
            #expect(CommandTable.all.contains { $0.category == category }, "\(category)")
        }
    }

    @Test(arguments: CommandTable.all.map(\.name))
    func exampleParsesAndIsCanonical(_ name: String) throws {
        let spec = try #require(CommandTable.spec(named: name))
        let script = try Parser.parse(spec.example, file: "example.scn")
        #expect(!script.statements.isEmpty)
        // The example is written in canonical form, so it prints back unchanged.
        #expect(script.sourceText == spec.example + "\n")
        // And it shows this command.
        let lines = spec.example.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0 == spec.name || $0.hasPrefix(spec.name + " ") }, "\(spec.example)")
    }

    @Test func everyCommandWordIsParsed() {
        // A word in the table without a parser case would fail with "cannot be used here".
        for word in CommandTable.commandWords where word != "end" {
            let error = parseError(word)
            #expect(error == nil || !error!.message.contains("cannot be used here"), "\(word)")
            #expect(error == nil || !error!.message.hasPrefix("unknown command"), "\(word)")
        }
        #expect(CommandTable.conditionWords == CommandTable.conditionKeywords)
        #expect(CommandTable.workloadWords == ["start", "stop"])
    }

    @Test func coversEveryStatementKind() throws {
        // One example per command type, all taken from the table.
        var seen: Set<String> = []
        func visit(_ statements: [Statement]) {
            for statement in statements {
                seen.insert(String(describing: type(of: statement.command)))
                if let block = statement.command as? RepeatCommand { visit(block.body) }
            }
        }
        for spec in CommandTable.all {
            visit(try Parser.parse(spec.example, file: "e.scn").statements)
        }
        let expected = Set(CommandRegistry.commands.map { String(describing: $0) })
        #expect(seen == expected)
    }

    @Test func helpReadsTheTable() throws {
        // Help wraps lines: compare words.
        func words(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let overview = words(Help.overview())
        for spec in CommandTable.all {
            #expect(overview.contains(spec.name), "\(spec.name)")
            #expect(overview.contains(words(Help.firstSentence(spec.summary))), "\(spec.name)")
        }
        for topic in Help.topics {
            #expect(Help.text(for: topic) != nil, "\(topic)")
            #expect(try kinds("help " + topic) == [.help(topic)])
        }
        let expect = words(try #require(Help.text(for: "expect")))
        for spec in CommandTable.specs(forCommand: "expect") {
            #expect(expect.contains(words(spec.synopsis)))
        }
        let put = try #require(Help.text(for: "put"))
        #expect(put.hasPrefix("put KEY VALUE [via NODE] [timeout DURATION]\n  Write VALUE under KEY"))
        #expect(put.hasSuffix("\n  example:\n    put x 1\n"))
        // Help text wraps at word boundaries: no line is wider than 80 columns, and the words are
        // the summary's, in order.
        for topic in Help.topics {
            for line in (Help.text(for: topic) ?? "").split(separator: "\n") {
                #expect(line.count <= 80 || !line.contains(" "), "help \(topic): \(line)")
            }
        }
        for line in Help.overview().split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        let words = put.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains(CommandTable.spec(named: "put")!.summary))
        // Every command has help, quit and save included.
        for word in CommandTable.commandWords { #expect(Help.text(for: word) != nil, "help \(word)") }
        #expect(Help.overview().contains("\n  quit "))
        #expect(Help.overview().contains("\n  save "))
        #expect(Help.text(for: "wait until")?.contains("wait DURATION") == false)
        #expect(Help.text(for: "nonsense") == nil)
    }

    @Test func completionReadsTheTable() {
        #expect(Completion.candidates(for: "pu") == ["put"])
        #expect(Completion.candidates(for: "").count == CommandTable.commandWords.count)
        #expect(Completion.candidates(for: "put x 1 v") == ["via"])
        #expect(Completion.candidates(for: "expect lin") == ["linearizable"])
        #expect(Completion.candidates(for: "fail fol") == ["follower", "followers"])
        #expect(Completion.candidates(for: "cluster 5 he") == ["heartbeat"])
        #expect(Completion.candidates(for: "help wa") == ["wait"])
        #expect(Completion.candidates(for: "wait until lead").contains("leader"))
    }

    @Test func completionFitsThePlaceInTheLine() {
        let context = Completion.Context(nodeCount: 3, variables: ["L"], keys: ["x", "k1"])
        func complete(_ line: String) -> [String] { Completion.candidates(for: line, context: context) }
        // After `fail`: node ids, selectors and variables, never keys.
        #expect(complete("fail ") == ["$L", "1", "2", "3", "all", "follower", "followers", "leader", "rest"])
        // After `get` (and `put`, `expect get`): keys.
        #expect(complete("get ") == ["k1", "x"])
        #expect(complete("put ") == ["k1", "x"])
        #expect(complete("expect get ") == ["k1", "x"])
        #expect(complete("get x ") == ["timeout", "via"])
        #expect(complete("get x via ").contains("2"))
        #expect(!complete("get x via ").contains("x"))
        // After `wait un`: `until`; then conditions; inside one, as after `expect`; then `within`.
        #expect(complete("wait un") == ["until"])
        #expect(complete("wait ") == ["until"])
        #expect(complete("wait until ") == CommandTable.conditionWords.sorted())
        #expect(complete("wait until get ") == ["k1", "x"])
        #expect(complete("wait until leader ").contains("within"))
        #expect(complete("wait until leader ").contains("in"))
        #expect(complete("wait until get x == ") == ["none"])
        #expect(complete("wait until converged w") == ["within"])
        // Choices and placeholders of the synopsis.
        #expect(complete("trace ") == ["off", "on"])
        #expect(complete("expect role 1 ") == ["!=", "=="])
        #expect(complete("expect role 1 == ") == ["candidate", "follower", "leader", "precandidate"])
        #expect(complete("expect put x 1 fails with ") == ["no-quorum", "not-leader", "timeout"])
        #expect(complete("expect cas x 1 2 fails with ") == ["mismatch", "no-quorum", "not-leader", "timeout"])
        #expect(complete("let L = ").contains("term"))
        #expect(complete("partition 1 ") == ["|"])
        #expect(complete("block 1 ") == ["->"])
        #expect(complete("help ").contains("quit"))
        #expect(complete("repeat 3 ").isEmpty)
        #expect(complete("cluster 5 seed 3 ").contains("udp"))
        #expect(!complete("cluster 5 seed 3 ").contains("seed"))
    }

    static let docsURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/scenario-language.md")

    @Test func docsFileMatchesTheGenerator() throws {
        let generated = DocsGenerator.markdown()
        if ProcessInfo.processInfo.environment["RAFTSH_REGEN_DOCS"] == "1" {
            try generated.write(to: Self.docsURL, atomically: true, encoding: .utf8)
            return
        }
        let onDisk = try? String(contentsOf: Self.docsURL, encoding: .utf8)
        #expect(onDisk == generated, """
            docs/scenario-language.md differs from what DocsGenerator renders from CommandTable; \
            regenerate it with: RAFTSH_REGEN_DOCS=1 swift test --filter ScenarioTests
            """)
    }

    @Test func docsListEveryCommand() {
        let docs = DocsGenerator.markdown()
        for spec in CommandTable.all {
            #expect(docs.contains("#### \(spec.name)\n"), "\(spec.name)")
            #expect(docs.contains("```\n\(spec.synopsis)\n```"), "\(spec.name)")
            #expect(docs.contains("```\n\(spec.example)\n```"), "\(spec.name)")
        }
        #expect(docs.contains("## Node selectors"))
        #expect(docs.contains("## Durations"))
    }
}
