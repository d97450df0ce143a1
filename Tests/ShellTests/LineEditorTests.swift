#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Shell

/// The pure parts of the line editor; the terminal behaviour is covered in ShellPTYTests.
@Suite struct LineEditorTests {
    @Test func longestCommonPrefix() {
        #expect(LineEditor.longestCommonPrefix(["status"]) == "status")
        #expect(LineEditor.longestCommonPrefix(["follower", "followers"]) == "follower")
        #expect(LineEditor.longestCommonPrefix(["fail", "follower"]) == "f")
        #expect(LineEditor.longestCommonPrefix(["put", "get"]) == "")
        #expect(LineEditor.longestCommonPrefix([]) == "")
        #expect(LineEditor.longestCommonPrefix(["né", "nés", "ne"]) == "n")
    }

    @Test func columnsFillDownThenAcross() {
        let words = ["a", "bb", "ccc", "d", "e"]
        // cell width 5 (longest 3 + 2); 12 columns fit 2 cells a row; 3 rows.
        #expect(LineEditor.columns(words, width: 12) == "a    d\nbb   e\nccc\n")
        #expect(LineEditor.columns(words, width: 80) == "a    bb   ccc  d    e\n")
        #expect(LineEditor.columns(["x"], width: 0) == "x\n")
        #expect(LineEditor.columns([], width: 80) == "")
        // Narrower than one cell: one word a row.
        #expect(LineEditor.columns(["abc", "de"], width: 3) == "abc\nde\n")
    }

    @Test func noEditorWithoutATerminal() {
        // `swift test` runs with stdin not a terminal (a pipe or /dev/null) in CI; at a terminal
        // this test has nothing to check.
        if isatty(0) == 0 {
            #expect(LineEditor(prompt: "> ", historyFile: nil, completer: { _ in [] }) == nil)
        }
    }
}
