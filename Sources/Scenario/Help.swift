/// The text of `help` and `help TOPIC`, rendered from `CommandTable`.
public enum Help {
    /// Topics that are not commands.
    public static let extraTopics = ["selectors", "durations", "conditions"]

    /// Everything `help TOPIC` accepts: command words, full command names
    /// (`wait until`, `expect get`) and `extraTopics`.
    public static let topics: [String] = {
        var seen: Set<String> = []
        return (CommandTable.commandWords + CommandTable.all.map(\.name) + extraTopics).filter { seen.insert($0).inserted }
    }()

    /// `help`: every command by category, one line each.
    public static func overview() -> String {
        let width = (CommandTable.all.map(\.name.count).max() ?? 0) + 2
        var out = "Commands (help COMMAND for details; help selectors, help durations, help conditions):\n"
        for category in CommandCategory.allCases {
            let specs = CommandTable.all.filter { $0.category == category }
            guard !specs.isEmpty else { continue }
            out += "\n" + category.title + "\n"
            for spec in specs {
                out += "  " + spec.name + String(repeating: " ", count: width - spec.name.count) + spec.summary + "\n"
            }
        }
        return out
    }

    /// `help TOPIC`: the synopsis, summary and example of every matching
    /// command (a command word matches all its forms), or the text of a
    /// general topic; nil when there is no such topic.
    public static func text(for topic: String) -> String? {
        let topic = topic.split(separator: " ").joined(separator: " ")
        switch topic {
        case "selectors": return "Node selectors\n" + plain(LanguageReference.selectors) + "\n"
        case "durations": return "Durations, ranges and percentages\n" + plain(LanguageReference.durations) + "\n"
        case "conditions":
            var out = "Conditions\n" + plain(LanguageReference.conditions) + "\n\n"
            for spec in CommandTable.specs(forCommand: "expect") {
                out += "  " + spec.synopsis.dropFirst("expect ".count) + "\n"
            }
            return out
        default: break
        }
        let specs: [CommandSpec]
        if let exact = CommandTable.spec(named: topic) {
            specs = exact.formWord == nil ? CommandTable.specs(forCommand: topic) : [exact]
        } else {
            specs = CommandTable.specs(forCommand: topic)
        }
        guard !specs.isEmpty else { return nil }
        return specs.map(detail).joined(separator: "\n")
    }

    /// The detail of one command: synopsis, summary, example.
    public static func detail(_ spec: CommandSpec) -> String {
        var out = spec.synopsis + "\n  " + spec.summary + "\n  example:\n"
        for line in spec.example.split(separator: "\n", omittingEmptySubsequences: false) {
            out += "    " + line + "\n"
        }
        return out
    }

    /// The shared prose without markdown backticks, for the terminal.
    static func plain(_ text: String) -> String {
        String(text.filter { $0 != "`" })
    }
}
