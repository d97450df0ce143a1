import ClusterModel
import Sim

/// The prose about the language that `help` and the docs share.
enum LanguageReference {
    static let lines = """
        One command per line. `#` starts a comment that runs to the end of the line. \
        A `repeat N` line opens a block that the matching `end` line closes; blocks nest. \
        The same lines are typed at the prompt and stored in `.scn` files. \
        The whole file is parsed before anything runs: a malformed file fails with \
        `file:line:col: error: ...`, the line, a caret under the spot and what was expected.
        """

    static let values = """
        Keys are words of letters, digits and `_ - . : /` (`x`, `user:42`, `a/b-1`). \
        Values are plain words or numbers (`1`, `hello`), or double-quoted strings for values \
        with spaces or special characters (`"two words"`, escapes `\\" \\\\ \\n \\r \\t`). \
        In `expect get x == none`, `none` means absent; write `"none"` for the string none.
        """

    static let selectors = """
        Node ids are 1..N, where N is the size given by the latest `cluster N` line above \
        (or the runner's default, 5). A node selector is:
        - a number `3`, a list `1,2,3` or a range `1..3`;
        - `leader`: the leader of the highest term among the nodes that are up and running (paused nodes never; a line that needs one fails with "no leader" when there is none);
        - `follower`: one node up and running other than the leader, chosen by the seeded PRNG; each `follower` on a line picks a different one, none already named on that line;
        - `followers`: every node up and running other than the leader; `all`: every node;
        - `rest`: every node not named elsewhere on the line (`partition leader | rest`);
        - `$NAME`: nodes captured earlier by `let NAME = ...`;
        - a comma list mixing these: `$L,follower`.

        Where one node is needed (`via`, `log`, `leader == NODE`), lists, `followers`, `all` and `rest` are \
        parse errors, and a `$NAME` that holds several nodes fails the line ("needs one node").
        """

    static let durations = """
        Durations are a number and a unit: `500us` (or `µs`), `150ms`, `2s`, `1.5s`, `1m`, `1h`, `10ns`. \
        A number without a unit is an error. Ranges are `LOW..HIGH` with no spaces: `150ms..300ms` \
        (a single duration means a fixed value). Percentages are `0%` to `100%` (`30%`, `2.5%`). \
        Rates are per second: `100/s`.
        """

    static let variables = """
        `let NAME = leader`, `let NAME = term` or `let NAME = NODES` captures a value when the line runs; \
        later lines use it as `$NAME` (`expect leader != $L`, `expect term > $T`). \
        A variable lives until the next `cluster` line, which starts a fresh cluster and forgets every variable: \
        using a `$NAME` that no earlier line binds, or that was bound above the latest `cluster` line, is a parse error.
        """

    static let conditions = """
        `expect CONDITION` fails the scenario (with file:line:col, what was expected, what was seen, \
        the virtual time and the seed) when CONDITION does not hold. `wait until CONDITION [within DURATION]` \
        takes any condition `expect` takes, except those that write (`put ... fails`), and advances time until it holds, \
        never past DURATION (default \(Literals.formatDuration(ExecutorOptions.defaultWaitLimit))): \
        conditions on the cluster's state are checked after every step; conditions that read \
        (`get ...`) are polled every 50ms, each read bounded by the time left, and nothing runs after \
        the check that held. Comparisons are `==`, `!=`, `<`, `<=`, `>`, `>=`.
        """

    static let leader = """
        One rule, used by every line (`Leadership` in the code):
        - *the leader* is the node leading the highest term among the nodes that are up and running. \
        A paused node is never the leader (`status` lists it as paused, its frozen role in parentheses), \
        and a crashed one has no role. The `leader` selector, `let L = leader`, `status` and `converged` use it.
        - A leader *counts* for the conditions `expect leader ...`, `expect no leader ...` and \
        `wait until leader ...` when, besides, it reaches a quorum: it and the members that are up, running \
        and connected to it both ways under the current cuts make a majority of the configuration. \
        A leader cut off in a minority (until CheckQuorum makes it step down) still leads its term, but no quorum \
        follows it, so it does not count: after `fail 1,2,3` on 5 nodes, `wait until leader` waits for a restart. \
        To see an old leader step down, check its role: `expect role $L != leader`.
        - `expect put ... fails` means the write was tried and not committed: no acknowledgement, and no node \
        that is up has it committed. A node that does not lead answers "not leader" without trying (a redirect): \
        that is not a failed write, and counts only for `fails with not-leader`. `fails with timeout` wants no \
        answer in time; `fails with no-quorum` wants no acknowledgement while the node handling the write \
        (the `via` node, or else every node that is up) could not reach a quorum, as defined above.
        """

    static let faults = """
        The network has one fault model. Cuts: `partition` replaces the whole symmetric cut (its groups and \
        every isolation) and leaves one-way `block`s and link faults in place; `isolate` adds to the current \
        cut; `block` adds a one-way cut. Link faults: `drop`, `duplicate` and `delay` are set on every link \
        or on given links; a message on a link meets, for each of them, the larger of the every-link value \
        and the link's own (the higher loss, the higher duplication, the delay range with the larger bounds). \
        `drop 0%`, `duplicate 0%` or `delay 0ms` without a link clears that fault everywhere, per-link values \
        included; with a link, only that link's. `heal` is the one line that clears every cut and every link \
        fault. Cuts apply between servers; clients reach every server that is up, and loss, duplication and \
        delay on every link apply to client messages too. `faults` prints what is in force.
        """

    static let files = """
        A scenario file is a `.scn` text file of these lines; `raftsh run FILE|FOLDER` runs it (folders are \
        searched for `*.scn`). It should start with a comment saying what it shows. A comment line \
        `# modes: sim udp` among the first 20 lines lists where the file runs: `sim` (the default, \
        when there is no such line) and `udp` (`raftsh run --udp` runs only the files that list it). \
        Without a `cluster` line, a file runs on the runner's default cluster (5 simulated nodes). \
        `raftsh run` prints one `PASS`/`FAIL` line per file and seed, and what `report`, `status`, \
        `log`, `history`, `faults` and `echo` print (lines written to be seen); every other answer only with \
        `--verbose`, nothing but failures with `--quiet`.
        """

    static let json = """
        `status --json`, `log NODE --json`, `history --json` and `report --json` print one JSON document \
        on one line instead of the table, for tools (`raftsh -c "status --json" | jq .leader`). Times are \
        nanoseconds since the cluster started (`*_ns`); keys are written in a fixed order.
        - `status`: `time_ns`, `time` (`t=0.312s`), `leader` (null when there is none), `leader_term`, \
        `nodes` (each `id`, `state` up/down/paused, `role` (null when down), `term`, `commit`, `applied` \
        (null when down), `last_index`, `group` (null: no partition; 0: isolated), `first_index`, `snapshot_index` \
        (null where unknown), `voters` and `learners` (the configuration in force as the node sees it; null where \
        unknown), `removed`), `faults` (the lines \
        `faults` prints).
        - `log NODE`: `node`, `state`, `commit`, `entries` (null when the node is down; each `index`, `term`, \
        `kind` command/no-op/config, for commands `client`, `seq`, `op`, `key`, `value`, then `committed`).
        - `history`: `operations`, each `id`, `client`, `op`, `key`, `value` (writes), `invoke_ns`, \
        `complete_ns` (null: never answered), `outcome` (ok; fail: had no effect; unknown: a write that \
        may have applied; cas-failed) and for reads `found` and `read`.
        - `report`: `metrics` (each name `expect metric` takes: counts, latencies in nanoseconds, \
        `throughput` per second; `messages` and `messages_per_op` null on real nodes), `linearizable`, \
        `leader_history` (each `node`, `term`, `from_ns`, `to_ns`; null on real nodes); all null before \
        any workload.
        """

    /// Every default, in one table (name, value, where it acts).
    static var defaults: [(String, String, String)] {
        let sim = SimConfig()
        let workload = WorkloadSpec()
        return [
            ("nodes", "5", "a file or session without a `cluster` line (`raftsh --nodes`)"),
            ("seed", "1 in `raftsh run`, 42 in the shell", "`cluster` without `seed` (`--seed` overrides every line)"),
            ("election timeout", Literals.formatDurationRange(sim.electionTimeout), "`cluster ... election`"),
            ("heartbeat", Literals.formatDuration(sim.heartbeat), "`cluster ... heartbeat`"),
            ("latency", Literals.formatDurationRange(sim.latency), "`cluster ... latency` (simulated)"),
            ("client timeout", Literals.formatDuration(ExecutorOptions.defaultOperationTimeout), "`put`, `get`, `delete` and `expect get`/`put` without `timeout`"),
            ("wait until limit", Literals.formatDuration(ExecutorOptions.defaultWaitLimit), "`wait until` without `within`"),
            ("workload requests", String(workload.requests), "`workload start` without `requests`"),
            ("workload ratio", Literals.formatNumber(workload.readRatio), "`workload start` without `ratio` (share of gets)"),
            ("workload keys", String(workload.keys), "`workload start` without `keys`"),
            ("workload rate", "unlimited", "`workload start` without `rate`"),
            ("workload value size", "\(workload.valueSize) bytes", "`workload start` without `value-size`"),
        ]
    }
}
