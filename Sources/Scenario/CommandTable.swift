/// THE table of commands. The parser accepts exactly these command words (and
/// these condition and workload forms), `help` and completion read it, and
/// `DocsGenerator` writes docs/scenario-language.md from it.
public enum CommandTable {
    /// Every command, in the order help and the docs list them.
    public static let all: [CommandSpec] = [
        // Cluster
        CommandSpec(
            name: "cluster",
            synopsis: "cluster N [seed N] [election DURATION..DURATION] [heartbeat DURATION] [latency DURATION..DURATION] [udp [netns]]",
            summary: "Start a fresh cluster of N nodes (ids 1..N): simulated and seeded, or N local raftd processes with udp (with netns: each in its own network namespace, faults made by the kernel; needs root).",
            example: "cluster 5 seed 42 election 150ms..300ms heartbeat 50ms latency 1ms..5ms",
            keywords: ["seed", "election", "heartbeat", "latency", "udp", "netns"],
            category: .cluster),

        // Client operations
        CommandSpec(
            name: "put",
            synopsis: "put KEY VALUE [via NODE] [timeout DURATION]",
            summary: "Write VALUE under KEY through a client that finds the leader; prints ok or timeout, the latency and the time.",
            example: "put x 1",
            keywords: ["via", "timeout"],
            category: .client),
        CommandSpec(
            name: "get",
            synopsis: "get KEY [via NODE] [timeout DURATION]",
            summary: "Read KEY linearizably; prints the value, none or timeout, the latency and the time.",
            example: "get x via 2 timeout 1s",
            keywords: ["via", "timeout"],
            category: .client),
        CommandSpec(
            name: "delete",
            synopsis: "delete KEY [via NODE] [timeout DURATION]",
            summary: "Remove KEY; prints ok or timeout, the latency and the time.",
            example: "delete x",
            keywords: ["via", "timeout"],
            category: .client),

        // Faults
        CommandSpec(
            name: "fail",
            synopsis: "fail NODES",
            summary: "Crash nodes; writes they had not synced to disk are lost.",
            example: "fail leader",
            category: .faults),
        CommandSpec(
            name: "restart",
            synopsis: "restart NODES",
            summary: "Restart crashed nodes from what they persisted.",
            example: "restart all",
            category: .faults),
        CommandSpec(
            name: "pause",
            synopsis: "pause NODES",
            summary: "Freeze nodes without crashing them: no ticks, no messages handled.",
            example: "pause 3",
            category: .faults),
        CommandSpec(
            name: "resume",
            synopsis: "resume NODES",
            summary: "Unfreeze paused nodes.",
            example: "resume 3",
            category: .faults),
        CommandSpec(
            name: "partition",
            synopsis: "partition NODES | NODES [| NODES ...]",
            summary: "Replace the current cut with a symmetric cut between the groups.",
            example: "partition 1,2 | 3,4,5",
            category: .faults),
        CommandSpec(
            name: "isolate",
            synopsis: "isolate NODES",
            summary: "Cut nodes off from everyone, on top of the current cut.",
            example: "isolate 3",
            category: .faults),
        CommandSpec(
            name: "block",
            synopsis: "block NODES -> NODES",
            summary: "Lose every message from the first nodes to the second (one way).",
            example: "block 1 -> 2",
            category: .faults),
        CommandSpec(
            name: "heal",
            synopsis: "heal",
            summary: "Remove every cut and every link fault (block, drop, duplicate, delay).",
            example: "heal",
            category: .faults),
        CommandSpec(
            name: "drop",
            synopsis: "drop PERCENT [NODES -> NODES]",
            summary: "Lose this share of messages, on every link or on one link; drop 0% stops it.",
            example: "drop 30% 1 -> 2",
            keywords: ["on"],
            category: .faults),
        CommandSpec(
            name: "duplicate",
            synopsis: "duplicate PERCENT [NODES -> NODES]",
            summary: "Deliver this share of messages twice, on every link or on one link.",
            example: "duplicate 5%",
            keywords: ["on"],
            category: .faults),
        CommandSpec(
            name: "delay",
            synopsis: "delay DURATION..DURATION [NODES -> NODES]",
            summary: "Delay each message by a random time in the range (this reorders them), on every link or on one link.",
            example: "delay 10ms..200ms",
            keywords: ["on"],
            category: .faults),

        // Time
        CommandSpec(
            name: "wait",
            synopsis: "wait DURATION",
            summary: "Advance time: virtual in simulation, real on udp.",
            example: "wait 2s",
            keywords: ["until"],
            category: .time),
        CommandSpec(
            name: "wait until",
            synopsis: "wait until CONDITION [within DURATION]",
            summary: "Advance time until CONDITION (any condition expect takes) holds; fail if it does not within the limit.",
            example: "wait until leader within 2s",
            keywords: ["within"] + conditionKeywords,
            category: .time),

        // Assertions
        CommandSpec(
            name: "expect leader",
            synopsis: "expect leader [in NODES | == NODE | != NODE]",
            summary: "There is a leader (among NODES; or equal to / different from NODE).",
            example: "expect leader in 3,4,5",
            keywords: ["in"],
            category: .assertions),
        CommandSpec(
            name: "expect no leader",
            synopsis: "expect no leader [in NODES]",
            summary: "There is no leader (among NODES).",
            example: "expect no leader in 1,2",
            keywords: ["leader", "in"],
            category: .assertions),
        CommandSpec(
            name: "expect get",
            synopsis: "expect get KEY [via NODE] [timeout DURATION] (== VALUE | == none | fails)",
            summary: "A read of KEY returns VALUE, finds no value, or fails (no answer, e.g. from a node that cannot confirm it leads).",
            example: "expect get x == 1",
            keywords: ["via", "timeout", "none", "fails"],
            category: .assertions),
        CommandSpec(
            name: "expect put",
            synopsis: "expect put KEY VALUE [via NODE] [timeout DURATION] fails",
            summary: "A write is not acknowledged (e.g. only a minority is reachable).",
            example: "expect put x 2 timeout 1s fails",
            keywords: ["via", "timeout", "fails"],
            category: .assertions),
        CommandSpec(
            name: "expect role",
            synopsis: "expect role NODES ==|!= ROLE",
            summary: "Each of NODES has (or has not) ROLE: follower, precandidate, candidate or leader.",
            example: "expect role 3 == follower",
            keywords: NodeRole.allCases.map(\.rawValue),
            category: .assertions),
        CommandSpec(
            name: "expect term",
            synopsis: "expect term OP N|$VAR",
            summary: "The highest term among the nodes that are up compares with N (OP is == != < <= > >=).",
            example: "expect term >= 2",
            category: .assertions),
        CommandSpec(
            name: "expect converged",
            synopsis: "expect converged",
            summary: "Every node that is up has the same log and has applied all of it.",
            example: "expect converged",
            category: .assertions),
        CommandSpec(
            name: "expect applied",
            synopsis: "expect applied KEY (== VALUE | == none) on NODES",
            summary: "Each of NODES has applied KEY = VALUE to its state machine (or has no value for KEY).",
            example: "expect applied x == 1 on 1,2,3",
            keywords: ["none", "on"],
            category: .assertions),
        CommandSpec(
            name: "expect linearizable",
            synopsis: "expect linearizable",
            summary: "The whole client history so far is linearizable.",
            example: "expect linearizable",
            category: .assertions),
        CommandSpec(
            name: "expect invariants",
            synopsis: "expect invariants",
            summary: "The Raft safety invariants hold: one leader per term, log matching, leader completeness, state machine safety, no lost acknowledged write.",
            example: "expect invariants",
            category: .assertions),
        CommandSpec(
            name: "expect unanswered",
            synopsis: "expect unanswered OP N",
            summary: "The number of client requests that never got an answer compares with N.",
            example: "expect unanswered == 0",
            category: .assertions),
        CommandSpec(
            name: "expect metric",
            synopsis: "expect metric NAME OP NUMBER|DURATION|PERCENT",
            summary: "A figure of the workload report compares with a value. NAME: messages, gets, puts, duplicates, unanswered, unanswered_gets, unanswered_puts, redirects, failures, wrong_gets, mean, median, p90, p99, max, throughput, messages_per_op (docs/metrics.md).",
            example: "expect metric p99 < 50ms",
            category: .assertions),

        // Workload
        CommandSpec(
            name: "workload start",
            synopsis: "workload start clients N [requests N] [ratio R] [keys N] [rate N/s] [value-size B]",
            summary: "Start N clients in the background: N requests in all (default 500), R = share of gets 0..1 (0.8), K keys (16), at most N/s started across all clients, B-byte values (8); later lines run while they do.",
            example: "workload start clients 8 requests 500 ratio 0.8 keys 16 rate 100/s",
            keywords: ["clients", "requests", "ratio", "keys", "rate", "value-size"],
            category: .workload),
        CommandSpec(
            name: "workload stop",
            synopsis: "workload stop",
            summary: "Stop the background clients.",
            example: "workload stop",
            category: .workload),
        CommandSpec(
            name: "report",
            synopsis: "report",
            summary: "Print the workload figures: messages, requests, duplicates, unanswered, redirects, failures, wrong gets, latency (mean, median, p90, p99, max), throughput, leader history.",
            example: "report",
            category: .workload),

        // Inspection and control
        CommandSpec(
            name: "status",
            synopsis: "status",
            summary: "Print a table: node, role, term, commit, applied, last index, up/down, partition group.",
            example: "status",
            category: .inspection),
        CommandSpec(
            name: "log",
            synopsis: "log NODE",
            summary: "Print a node's log: index, term and command of each entry.",
            example: "log 3",
            category: .inspection),
        CommandSpec(
            name: "trace",
            synopsis: "trace on|off",
            summary: "Print (or stop printing) every message and state change as it happens.",
            example: "trace on",
            keywords: ["on", "off"],
            category: .inspection),
        CommandSpec(
            name: "history",
            synopsis: "history",
            summary: "Print the client history: each request's invocation, response and times.",
            example: "history",
            category: .inspection),
        CommandSpec(
            name: "echo",
            synopsis: "echo TEXT",
            summary: "Print TEXT: the rest of the line (quote it to keep a #).",
            example: "echo partition the old leader away",
            category: .inspection),
        CommandSpec(
            name: "help",
            synopsis: "help [COMMAND]",
            summary: "List the commands, or describe one (also: help selectors, help durations, help conditions).",
            example: "help expect",
            category: .inspection),
        CommandSpec(
            name: "let",
            synopsis: "let NAME = leader|term|NODES",
            summary: "Capture the current leader, term or nodes for later lines as $NAME.",
            example: "let L = leader",
            keywords: ["leader", "term"],
            category: .inspection),
        CommandSpec(
            name: "repeat",
            synopsis: "repeat N ... end",
            summary: "Run the lines up to the matching end N times; blocks nest.",
            example: "repeat 3\n  fail leader\n  wait until leader within 2s\n  restart all\nend",
            category: .inspection),
        CommandSpec(
            name: "end",
            synopsis: "end",
            summary: "Close the innermost repeat block.",
            example: "repeat 2\n  wait 1s\nend",
            category: .inspection),
        CommandSpec(
            name: "save",
            synopsis: "save FILE",
            summary: "Write the commands of this session to FILE as a runnable scenario (at the prompt only).",
            example: "save session.scn",
            category: .inspection),
    ]

    /// The spec with exactly this name (`"put"`, `"wait until"`, `"expect get"`).
    public static func spec(named name: String) -> CommandSpec? {
        all.first { $0.name == name }
    }

    /// Every spec whose command word is `word` (`"expect"` gives all expect forms).
    public static func specs(forCommand word: String) -> [CommandSpec] {
        all.filter { $0.commandWord == word }
    }

    /// The words that may start a line, in table order, without repeats.
    public static let commandWords: [String] = {
        var seen: Set<String> = []
        return all.map(\.commandWord).filter { seen.insert($0).inserted }
    }()

    /// The words that may start a condition (`leader`, `no`, `get`, ...): the
    /// form words of the `expect` entries.
    public static let conditionWords: [String] = all.filter { $0.commandWord == "expect" }.compactMap(\.formWord)

    /// The words that may follow `workload`.
    public static let workloadWords: [String] = specs(forCommand: "workload").compactMap(\.formWord)

    static let conditionKeywords: [String] = ["leader", "no", "get", "put", "role", "term", "converged",
                                                      "applied", "linearizable", "invariants", "unanswered", "metric"]
}
