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
        let overview = Help.overview()
        for spec in CommandTable.all {
            #expect(overview.contains(spec.name), "\(spec.name)")
            #expect(overview.contains(spec.summary), "\(spec.name)")
        }
        for topic in Help.topics {
            #expect(Help.text(for: topic) != nil, "\(topic)")
            #expect(try kinds("help " + topic) == [.help(topic)])
        }
        let expect = try #require(Help.text(for: "expect"))
        for spec in CommandTable.specs(forCommand: "expect") {
            #expect(expect.contains(spec.synopsis))
        }
        let put = try #require(Help.text(for: "put"))
        #expect(put == "put KEY VALUE [via NODE] [timeout DURATION]\n  \(CommandTable.spec(named: "put")!.summary)\n  example:\n    put x 1\n")
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
