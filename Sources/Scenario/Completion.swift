/// Completion candidates for the shell, read from `CommandTable`.
public enum Completion {
    /// The words that could replace the last (partial) word of `line`, sorted.
    /// At the start of a line: command words; after `help`: topics; otherwise
    /// the forms and keywords of the command, and the selector words.
    public static func candidates(for line: String) -> [String] {
        let endsInBlank = line.unicodeScalars.last?.properties.isWhitespace ?? true
        var words = line.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        let partial = endsInBlank ? "" : (words.popLast() ?? "")
        var pool: [String]
        if words.isEmpty {
            pool = CommandTable.commandWords
        } else if words[0] == "help" {
            pool = words.count == 1 ? Help.topics.filter { !$0.contains(" ") } : []
        } else {
            let specs = CommandTable.specs(forCommand: words[0])
            pool = specs.flatMap(\.keywords)
            if words.count == 1 { pool += specs.compactMap(\.formWord) }
            if let spec = CommandTable.spec(named: words.prefix(2).joined(separator: " ")), spec.formWord != nil {
                pool += spec.keywords
            }
            pool += NodeSelector.keywords
        }
        return Array(Set(pool.filter { $0.hasPrefix(partial) })).sorted()
    }
}
