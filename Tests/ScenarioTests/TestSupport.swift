@testable import Scenario
@_exported import TestSupport  // the shared SplitMix64, for every file of this target

/// Parses and returns the statement kinds (locations dropped).
func kinds(_ source: String, options: ParserOptions = ParserOptions()) throws(ParseError) -> [StatementKind] {
    try Parser.parse(source, file: "t.scn", options: options).statements.map(\.kind)
}

/// Parses, expecting an error; returns it (nil if the source parsed).
func parseError(_ source: String, options: ParserOptions = ParserOptions()) -> ParseError? {
    do {
        _ = try Parser.parse(source, file: "t.scn", options: options)
        return nil
    } catch {
        return error
    }
}


let ms: UInt64 = 1_000_000
let sec: UInt64 = 1_000_000_000

/// A statement's command, compared by value. The factories below build the command types under
/// the names the cases of the language's former `StatementKind` enum had, so that assertions read
/// `kinds("fail leader") == [.fail(.leader)]`.
struct StatementKind: Equatable, CustomStringConvertible {
    /// The command.
    let command: any ScenarioCommand

    init(_ command: any ScenarioCommand) {
        self.command = command
    }

    static func == (lhs: StatementKind, rhs: StatementKind) -> Bool {
        AnyHashable(lhs.command) == AnyHashable(rhs.command)
    }

    var description: String { command.sourceText }

    static func cluster(_ config: ClusterConfig) -> Self { Self(ClusterCommand(config: config)) }
    static func put(key: String, value: String, options: ClientOptions) -> Self {
        Self(PutCommand(key: key, value: value, options: options))
    }
    static func get(key: String, options: ClientOptions) -> Self { Self(GetCommand(key: key, options: options)) }
    static func delete(key: String, options: ClientOptions) -> Self { Self(DeleteCommand(key: key, options: options)) }
    static func fail(_ nodes: NodeSelector) -> Self { Self(FailCommand(nodes: nodes)) }
    static func restart(_ nodes: NodeSelector) -> Self { Self(RestartCommand(nodes: nodes)) }
    static func pause(_ nodes: NodeSelector) -> Self { Self(PauseCommand(nodes: nodes)) }
    static func resume(_ nodes: NodeSelector) -> Self { Self(ResumeCommand(nodes: nodes)) }
    static func partition(_ groups: [NodeSelector]) -> Self { Self(PartitionCommand(groups: groups)) }
    static func isolate(_ nodes: NodeSelector) -> Self { Self(IsolateCommand(nodes: nodes)) }
    static func block(_ link: Link) -> Self { Self(BlockCommand(link: link)) }
    static var heal: Self { Self(HealCommand()) }
    static func drop(percent: Double, link: Link?) -> Self { Self(DropCommand(percent: percent, link: link)) }
    static func duplicate(percent: Double, link: Link?) -> Self { Self(DuplicateCommand(percent: percent, link: link)) }
    static func delay(_ range: ClosedRange<UInt64>, link: Link?) -> Self { Self(DelayCommand(range: range, link: link)) }
    static func wait(_ duration: UInt64) -> Self { Self(WaitCommand(.duration(duration))) }
    static func waitUntil(_ condition: Condition, within: UInt64?) -> Self { Self(WaitCommand(.until(condition, within: within))) }
    static func expect(_ condition: Condition) -> Self { Self(ExpectCommand(condition)) }
    static func workloadStart(_ config: WorkloadConfig) -> Self { Self(WorkloadCommand(.start(config))) }
    static var workloadStop: Self { Self(WorkloadCommand(.stop)) }
    static var report: Self { Self(ReportCommand()) }
    static var status: Self { Self(StatusCommand()) }
    static func log(_ node: NodeSelector) -> Self { Self(LogCommand(node: node)) }
    static func trace(_ on: Bool) -> Self { Self(TraceCommand(on: on)) }
    static var history: Self { Self(HistoryCommand()) }
    static func echo(_ text: String) -> Self { Self(EchoCommand(text: text)) }
    static func help(_ topic: String?) -> Self { Self(HelpCommand(topic: topic)) }
    static func letBinding(name: String, value: LetValue) -> Self { Self(LetCommand(name: name, value: value)) }
    static func repeatBlock(count: Int, body: [Statement]) -> Self { Self(RepeatCommand(count: count, body: body)) }
    static func save(_ file: String) -> Self { Self(SaveCommand(file: file)) }
}

extension Statement {
    /// The command as a `StatementKind`, for comparing with the factories.
    var kind: StatementKind { StatementKind(command) }

    /// A statement of the command `kind` builds.
    init(location: SourceLocation, kind: StatementKind) {
        self.init(location: location, command: kind.command)
    }
}

/// The condition types under the names the cases of the former `Condition` enum had.
extension Condition {
    static func leader(in nodes: NodeSelector?) -> Self { Self(LeaderCondition(nodes.map { .among($0) } ?? .any)) }
    static func leaderIs(_ op: ComparisonOperator, _ node: NodeSelector) -> Self { Self(LeaderCondition(.compared(op, node))) }
    static func noLeader(in nodes: NodeSelector?) -> Self { Self(NoLeaderCondition(in: nodes)) }
    static func get(key: String, options: ClientOptions, equals expected: ExpectedValue) -> Self {
        Self(GetCondition(key: key, options: options, outcome: .value(expected)))
    }
    static func getFails(key: String, options: ClientOptions, reason: FailureReason? = nil) -> Self {
        Self(GetCondition(key: key, options: options, outcome: .fails(reason)))
    }
    static func putFails(key: String, value: String, options: ClientOptions, reason: FailureReason? = nil) -> Self {
        Self(PutFailsCondition(key: key, value: value, options: options, reason: reason))
    }
    static func role(_ nodes: NodeSelector, _ op: ComparisonOperator, _ role: NodeRole) -> Self { Self(RoleCondition(nodes, op, role)) }
    static func term(_ op: ComparisonOperator, _ operand: IntOperand) -> Self { Self(TermCondition(op, operand)) }
    static var converged: Self { Self(ConvergedCondition()) }
    static func applied(key: String, equals expected: ExpectedValue, on nodes: NodeSelector) -> Self {
        Self(AppliedCondition(key: key, equals: expected, on: nodes))
    }
    static var linearizable: Self { Self(LinearizableCondition()) }
    static var invariants: Self { Self(InvariantsCondition()) }
    static func unanswered(_ op: ComparisonOperator, _ count: Int) -> Self { Self(UnansweredCondition(op, count)) }
    static func metric(name: String, _ op: ComparisonOperator, _ value: MetricValue) -> Self {
        Self(MetricCondition(name: name, op, value))
    }
}
