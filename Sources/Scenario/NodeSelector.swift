/// Which nodes a command is about.
///
/// Written as a number, a list `1,2,3` (or a range `1..3`), `leader`, `follower`,
/// `followers`, `all`, `rest`, `$VAR`, or a comma list mixing these
/// (`$L,follower`). Literal ids are checked by the parser against the cluster
/// size in effect at that line; everything else is resolved by the executor.
public indirect enum NodeSelector: Sendable, Hashable {
    /// Literal node ids, 1-based, in the order written, no repeats.
    case ids([Int])
    /// The leader of the highest term among the nodes that are up.
    case leader
    /// One follower chosen by the seeded PRNG, different from every other node named on the line.
    case follower
    /// Every follower.
    case followers
    /// Every node.
    case all
    /// Every node not named elsewhere on the line.
    case rest
    /// A variable captured by `let` (name without `$`).
    case variable(String)
    /// A comma list mixing the above (at least two parts; adjacent ids merged
    /// into one `.ids`, no part is itself a `.union`).
    case union([NodeSelector])

    /// Whether this names exactly one node when written literally
    /// (`3`, `leader`, `follower`, `$L`); a variable counts as one.
    public var isSingle: Bool {
        switch self {
        case .ids(let ids): ids.count == 1
        case .leader, .follower, .variable: true
        case .followers, .all, .rest, .union: false
        }
    }

    /// The parts of a comma list, or the selector itself.
    var parts: [NodeSelector] {
        if case .union(let parts) = self { return parts }
        return [self]
    }

    /// The selector words (`leader`, `follower`, `followers`, `all`, `rest`).
    public static let keywords = ["leader", "follower", "followers", "all", "rest"]
}
