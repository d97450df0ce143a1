/// The text of `help` and `help TOPIC`, rendered from `CommandTable`.
public enum Help {
    /// Topics that are not commands.
    public static let extraTopics = ["selectors", "durations", "conditions", "leader", "faults", "defaults"]

    /// Everything `help TOPIC` accepts: command words, full command names
    /// (`wait until`, `expect get`) and `extraTopics`.
    public static let topics: [String] = {
        var seen: Set<String> = []
        return (CommandTable.commandWords + CommandTable.all.map(\.name) + extraTopics).filter { seen.insert($0).inserted }
    }()

    /// `help`: every command by category, one line each.
    public static func overview() -> String {
        let width = (CommandTable.all.map(\.name.count).max() ?? 0) + 2
        var out = TextWrap.wrap("Commands (help COMMAND or COMMAND --help for details; help "
            + extraTopics.joined(separator: ", help ") + "):") + "\n"
        for category in CommandCategory.allCases {
            let specs = CommandTable.all.filter { $0.category == category }
            guard !specs.isEmpty else { continue }
            out += "\n" + category.title + "\n"
            for spec in specs {
                // The first sentence of the summary, wrapped under itself.
                let head = "  " + spec.name + String(repeating: " ", count: width - spec.name.count)
                out += TextWrap.wrap(firstSentence(spec.summary), first: head,
                                     rest: String(repeating: " ", count: head.count)) + "\n"
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
        case "leader": return "The leader\n" + plain(LanguageReference.leader) + "\n"
        case "faults": return "Network faults\n" + plain(LanguageReference.faults) + "\n"
        case "defaults":
            var out = "Defaults\n"
            for (name, value, where_) in LanguageReference.defaults {
                out += TextWrap.wrap("\(name): \(value), for \(where_)", first: "  ", rest: "    ") + "\n"
            }
            return plain(out)
        case "conditions":
            var out = "Conditions\n" + plain(LanguageReference.conditions) + "\n\n"
            for spec in CommandTable.specs(forCommand: "expect") {
                out += TextWrap.wrap(String(spec.synopsis.dropFirst("expect ".count)), first: "  ", rest: "      ") + "\n"
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

    /// The first sentence of `summary` (up to a period followed by a blank, or all of it).
    static func firstSentence(_ summary: String) -> String {
        guard let r = summary.range(of: ". ") else { return summary }
        return String(summary[..<r.lowerBound]) + "."
    }

    /// The detail of one command: synopsis, summary (wrapped at word boundaries), example.
    public static func detail(_ spec: CommandSpec) -> String {
        var out = TextWrap.wrap(spec.synopsis, rest: "    ") + "\n"
            + TextWrap.wrap(spec.summary, first: "  ", rest: "  ") + "\n  example:\n"
        for line in spec.example.split(separator: "\n", omittingEmptySubsequences: false) {
            out += "    " + line + "\n"
        }
        return out
    }

    /// The shared prose without markdown backticks and emphasis, wrapped at word boundaries
    /// (list items indented under their dash), for the terminal.
    static func plain(_ text: String) -> String {
        let bare = String(text.filter { $0 != "`" && $0 != "*" })
        return bare.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("- ") ? TextWrap.wrap(String(line), rest: "  ") : TextWrap.wrap(String(line))
        }.joined(separator: "\n")
    }
}
