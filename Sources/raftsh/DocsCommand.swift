import ArgumentParser
import Scenario

/// `raftsh docs`: print what the command table generates: the language reference (markdown), or
/// editor support for `.scn` files (a Vim syntax file, a TextMate grammar for VS Code).
struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Print the language reference or editor syntax files, generated from the command table.",
        discussion: """
            The committed docs/scenario-language.md, editors/vim/syntax/scn.vim and \
            editors/vscode/syntaxes/scn.tmLanguage.json are these outputs (a test checks it).
            """
    )

    /// What to print.
    enum Output: String, EnumerableFlag {
        case markdown, vim, textmate
    }

    @Flag(help: "markdown (docs/scenario-language.md, the default), vim (a Vim syntax file) or textmate (a TextMate grammar).")
    var output: Output = .markdown

    func run() throws {
        switch output {
        case .markdown: print(DocsGenerator.markdown(), terminator: "")
        case .vim: print(EditorSyntax.vim(), terminator: "")
        case .textmate: print(EditorSyntax.textMate(), terminator: "")
        }
    }
}
