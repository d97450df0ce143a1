import Wire
import Check

/// `history`: the client history.
public struct HistoryCommand: JSONFormCommand {
    /// The row of `history`.
    public static let specs = [
        CommandSpec(
            name: "history",
            synopsis: "history [--json | --edn FILE]",
            summary: "Print the client history: each request's invocation, response and times. --json prints one JSON document instead; --edn writes it to FILE in Jepsen's EDN form (one map per line, as raftsh check, Knossos and Elle read it).",
            example: "history",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// Whether to print JSON.
    public var json: Bool
    /// The file to write the history to in EDN, or nil to print it.
    public var ednFile: String?

    /// A line without `--json`.
    public init() { self.init(json: false) }

    /// A `history` line.
    public init(json: Bool) {
        self.json = json
    }

    /// `history --edn FILE`.
    public init(ednFile: String) {
        self.json = false
        self.ednFile = ednFile
    }

    /// Reads `--json` or `--edn FILE`, or nothing.
    public init(parsing p: inout LineParser) throws(ParseError) {
        if p.accept(word: "--edn") {
            self.init(ednFile: try p.parseFileName())
        } else {
            self.init(json: p.acceptJSONFlag())
            if !json { p.trailing.append("'--edn'") }
        }
    }

    /// `history`, `history --json`, `history --edn FILE`.
    public var sourceText: String {
        "history" + (json ? " --json" : "") + (ednFile.map { " --edn " + Literals.quoteIfNeeded($0) } ?? "")
    }

    /// Prints every client operation so far, or writes them to the EDN file.
    public func execute(in x: ExecutionContext) throws {
        let history = try x.cluster().history
        if let ednFile {
            do {
                try FileText.write(HistoryEDN.write(history), to: ednFile)
            } catch {
                throw x.plainFailure("\(error)")
            }
            x.output("wrote \(history.operations.count) operations to \(ednFile) (EDN)")
            return
        }
        let ops = history.operations
        if json {
            x.output(Self.json(ops).description)
            return
        }
        x.output(ops.isEmpty ? "no operations yet" : Check.describe(ops))
    }

    /// `history --json`: `operations`, each `id`, `client`, the operation (`op`, `key`, `value`),
    /// `invoke_ns`, `complete_ns` (null: never answered), `outcome` (`ok`, `fail`: had no effect,
    /// `unknown`: a write that may have applied) and, for reads, `found` and `read`.
    static func json(_ ops: [HistoryOperation]) -> JSONValue {
        .fields([("operations", .array(ops.map { op in
            .fields([("id", .int(Int64(op.id))), ("client", .count(op.client))] + OperationJSON.fields(op.op)
                + [("invoke_ns", .count(op.invoke)), ("complete_ns", .count(op.complete))] + OperationJSON.outcome(op.outcome))
        }))])
    }
}
