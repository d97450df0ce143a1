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
        - `leader`: the leader of the highest term among the nodes that are up (a line that needs one fails with "no leader" when there is none);
        - `follower`: one follower chosen by the seeded PRNG; each `follower` on a line picks a different one, none already named on that line;
        - `followers`: every follower; `all`: every node;
        - `rest`: every node not named elsewhere on the line (`partition leader | rest`);
        - `$NAME`: nodes captured earlier by `let NAME = ...`;
        - a comma list mixing these: `$L,follower`.

        Where one node is needed (`via`, `log`, `leader == NODE`), lists, `followers`, `all` and `rest` are errors.
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
        Using a `$NAME` that no earlier line binds is a parse error.
        """

    static let conditions = """
        `expect CONDITION` fails the scenario (with file:line:col, what was expected, what was seen, \
        the virtual time and the seed) when CONDITION does not hold. `wait until CONDITION [within DURATION]` \
        takes any condition `expect` takes and advances time until it holds. Comparisons are \
        `==`, `!=`, `<`, `<=`, `>`, `>=`.
        """
}
