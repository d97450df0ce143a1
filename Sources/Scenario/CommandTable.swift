/// THE table of commands, read from the command and condition types that `CommandRegistry`
/// lists (each type carries its own rows). The parser accepts exactly these command words (and
/// these condition and workload forms), `help` and completion read it, and `DocsGenerator`
/// writes docs/scenario-language.md from it.
public enum CommandTable {
    /// Every command, in the order help and the docs list them.
    public static let all: [CommandSpec] = CommandRegistry.commands.flatMap { $0.specs }

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

    /// The first words of the registered conditions (offered after `wait until`).
    static var conditionKeywords: [String] { CommandRegistry.conditionWords }
}
