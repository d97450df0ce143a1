/// One entry of the command table: what the parser accepts, `help` shows,
/// completion offers and the docs list.
public struct CommandSpec: Sendable, Hashable {
    /// The name: the command word, or the command word and the form word for
    /// commands with several forms (`wait until`, `expect leader`, `workload start`).
    public var name: String
    /// The syntax, e.g. `put KEY VALUE [via NODE] [timeout DURATION]`.
    public var synopsis: String
    /// One line saying what it does.
    public var summary: String
    /// An example that parses on its own (may be several lines).
    public var example: String
    /// Words that may follow the name, for completion.
    public var keywords: [String]
    /// Where it is listed.
    public var category: CommandCategory

    /// Creates a command spec.
    public init(name: String, synopsis: String, summary: String, example: String,
                keywords: [String] = [], category: CommandCategory) {
        self.name = name
        self.synopsis = synopsis
        self.summary = summary
        self.example = example
        self.keywords = keywords
        self.category = category
    }

    /// The first word of the name: what starts the line.
    public var commandWord: String { String(name.split(separator: " ").first ?? Substring(name)) }

    /// The second word of the name, if any (`until` for `wait until`).
    public var formWord: String? {
        let words = name.split(separator: " ")
        return words.count > 1 ? String(words[1]) : nil
    }
}
