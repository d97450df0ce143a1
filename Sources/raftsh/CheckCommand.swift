import ArgumentParser
import Foundation
import Check
import KV

/// `raftsh check FILE…`: check client histories in Jepsen's EDN form for linearizability.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check histories in Jepsen's EDN form (one event map per line) for linearizability.",
        discussion: """
            Reads the form Knossos, Elle and porcupine's tools read: `{:process 3, :type :invoke, :f :write, \
            :key "x", :value 1}` then `:ok`, `:fail` or `:info`; keyed (`:key`), Jepsen's independent tuples \
            (`:value [k v]`) or one register; `:f` of read/write/cas or get/put/append; `:info` is an unknown \
            outcome. Prints `linearizable` or, when not, the smallest failing key and the operations around \
            where the search got stuck. Exits 0 when every file is linearizable, 1 when one is not (or too \
            complex to decide), 2 on malformed input (with line and column).
            """
    )

    @Argument(help: "History files (EDN, one event per line).")
    var files: [String]

    @Option(help: "Give up on a key after this many explored configurations.")
    var maxStates: Int = 5_000_000

    func run() throws {
        var worst: Int32 = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write("raftsh check: cannot read \(file)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                FileHandle.standardError.write("raftsh check: \(file) is not UTF-8 text\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            let history: History
            do {
                history = try HistoryEDN.read(text)
            } catch {
                FileHandle.standardError.write("\(file):\(error.line):\(error.column): error: \(error.message)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            let keys = Set(history.operations.map(\.op.key)).count
            let checker = LinearizabilityChecker(maxStatesPerKey: maxStates)
            switch checker.check(history) {
            case .linearizable:
                print("\(file): \(history.count) operations, \(keys) key\(keys == 1 ? "" : "s"): linearizable")
            case .tooComplex(let key):
                print("\(file): \(history.count) operations: key \(EDN.quote(key)) is too complex to check within \(maxStates) configurations")
                worst = max(worst, 1)
            case .violation(let key, let ops):
                worst = max(worst, 1)
                print("\(file): \(history.count) operations: NOT linearizable on key \(EDN.quote(key)) (\(ops.count) operations on it)")
                let (stuck, window) = checker.explain(ops)
                if let stuck {
                    print("no order of the operations explains this one:")
                    print(indent(describe([stuck])))
                    print("the operations around it (\(window.count) of \(ops.count)):")
                    print(indent(describe(window)))
                } else {
                    print(indent(describe(ops)))
                }
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    private func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
