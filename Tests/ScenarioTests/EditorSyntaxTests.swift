import Foundation
import Testing
@testable import Scenario

/// The editor files in `editors/` are what the command table generates, so highlighting cannot
/// drift from the language. `RAFTSH_REGEN_DOCS=1 swift test --filter ScenarioTests` rewrites them.
@Suite struct EditorSyntaxTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let generated: [(path: String, text: String)] = [
        ("editors/vim/syntax/scn.vim", EditorSyntax.vim()),
        ("editors/vim/ftdetect/scn.vim", EditorSyntax.vimDetect),
        ("editors/vscode/syntaxes/scn.tmLanguage.json", EditorSyntax.textMate()),
    ]

    @Test(arguments: generated.map(\.path))
    func committedFileMatchesTheGenerator(_ path: String) throws {
        let text = try #require(Self.generated.first { $0.path == path }).text
        let url = Self.root.appendingPathComponent(path)
        if ProcessInfo.processInfo.environment["RAFTSH_REGEN_DOCS"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let onDisk = try? String(contentsOf: url, encoding: .utf8)
        #expect(onDisk == text, "\(path) differs from what EditorSyntax generates from the command table; regenerate it with: RAFTSH_REGEN_DOCS=1 swift test --filter ScenarioTests")
    }

    @Test func everyWordOfTheTableIsHighlighted() throws {
        let vim = EditorSyntax.vim()
        let highlighted = Set(vim.split(separator: "\n").filter { $0.hasPrefix("syntax keyword scn") }
            .flatMap { $0.split(separator: " ").dropFirst(3).map(String.init) })
        for word in CommandTable.commandWords + CommandTable.conditionWords + NodeSelector.keywords
            + NodeRole.allCases.map(\.rawValue) + FailureReason.allCases.map(\.rawValue) {
            #expect(highlighted.contains(word), "\(word) is not in scn.vim")
        }
        for spec in CommandTable.all {
            for word in spec.keywords where word.allSatisfy({ $0.isLetter || $0 == "-" }) {
                #expect(highlighted.contains(word), "\(spec.name): \(word) is not in scn.vim")
            }
        }
        // The grammar is JSON VS Code can read, with one pattern per kind of word.
        let grammar = try JSONSerialization.jsonObject(with: Data(EditorSyntax.textMate().utf8)) as? [String: Any]
        #expect(grammar?["scopeName"] as? String == "source.scn")
        let patterns = try #require(grammar?["patterns"] as? [[String: Any]])
        let commands = try #require(patterns.first { $0["name"] as? String == "keyword.control.command.scn" }?["match"] as? String)
        for word in CommandTable.commandWords { #expect(commands.contains("|\(word)|") || commands.contains("(\(word)|") || commands.contains("|\(word))")) }
        // The VS Code package points at the grammar.
        let package = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.root.appendingPathComponent("editors/vscode/package.json"))) as? [String: Any]
        let grammars = (package?["contributes"] as? [String: Any])?["grammars"] as? [[String: Any]]
        #expect(grammars?.first?["path"] as? String == "./syntaxes/scn.tmLanguage.json")
        #expect(grammars?.first?["scopeName"] as? String == "source.scn")
    }
}
