/// What the parser needs to know from outside the text.
public struct ParserOptions: Sendable, Hashable {
    /// The cluster size before any `cluster N` line (node ids are checked
    /// against 1...N, where N comes from the latest `cluster` line above, or this).
    public var defaultNodes: Int
    /// Variable names (without `$`) already bound, e.g. the shell's session
    /// variables; names bound by `let` earlier in the text are added as parsing goes.
    public var knownVariables: Set<String>

    /// Creates options; the default is a 5-node cluster and no variables.
    public init(defaultNodes: Int = 5, knownVariables: Set<String> = []) {
        self.defaultNodes = defaultNodes
        self.knownVariables = knownVariables
    }
}
