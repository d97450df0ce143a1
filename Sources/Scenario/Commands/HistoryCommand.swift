import Wire
import Check

/// `history`: the client history.
public struct HistoryCommand: JSONFormCommand {
    /// The row of `history`.
    public static let specs = [
        CommandSpec(
            name: "history",
            synopsis: "history [--json]",
            summary: "Print the client history: each request's invocation, response and times. --json prints one JSON document instead.",
            example: "history",
            category: .inspection),
    ]

    /// Written to be seen: `raftsh run` prints it without `--verbose`.
    public static var printsInRuns: Bool { true }

    /// Whether to print JSON.
    public var json: Bool

    /// A line without `--json`.
    public init() { self.init(json: false) }

    /// A `history` line.
    public init(json: Bool) {
        self.json = json
    }

    /// Prints every client operation so far.
    public func execute(in x: ExecutionContext) throws {
        let ops = try x.cluster().history.operations
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
