import RaftCore

/// Completion candidates for the shell, driven by the command table: each row's synopsis is read
/// as a small grammar (placeholders such as `NODES` and `KEY`, literal words, `[optional]` parts
/// in any order, `(a | b)` and `a|b` choices), the words typed so far are matched against it, and
/// the word being typed is completed with what fits there and nothing else: node ids and
/// selectors after `fail`, keys after `get`, `until` and then conditions after `wait`.
public enum Completion {
    /// What completion knows of the session: node ids, `$variables` and keys.
    public struct Context: Sendable {
        /// The cluster size (node ids 1...nodeCount).
        public var nodeCount: Int
        /// Variable names, without `$`.
        public var variables: [String]
        /// Keys used so far (by lines and by the workload).
        public var keys: [String]

        /// A context; the default is 5 nodes, no variables, no keys.
        public init(nodeCount: Int = 5, variables: [String] = [], keys: [String] = []) {
            self.nodeCount = nodeCount
            self.variables = variables
            self.keys = keys
        }
    }

    /// The words that could replace the last (partial) word of `line`, sorted.
    public static func candidates(for line: String, context: Context = Context()) -> [String] {
        let endsInBlank = line.unicodeScalars.last?.properties.isWhitespace ?? true
        var words = line.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        let partial = endsInBlank ? "" : (words.popLast() ?? "")
        let pool = candidates(after: words, context: context)
        return Array(Set(pool.filter { $0.hasPrefix(partial) })).sorted()
    }

    /// What may come after the complete words `words` of a line.
    static func candidates(after words: [String], context: Context) -> [String] {
        guard let command = words.first else { return CommandTable.commandWords }
        let specs = CommandTable.specs(forCommand: command)
        guard !specs.isEmpty else { return [] }
        let rest = Array(words.dropFirst())
        // A command with several forms (`wait` / `wait until`, `expect leader` / `expect get`):
        // the form word picks the row.
        var forms: [String] = []
        var rows: [(CommandSpec, [String])] = []
        for spec in specs {
            if let form = spec.formWord {
                forms.append(form)
                if rest.first == form { rows.append((spec, Array(rest.dropFirst()))) }
            } else {
                rows.append((spec, rest))
            }
        }
        if rest.isEmpty && specs.contains(where: { $0.formWord != nil }) && !rows.contains(where: { $0.0.formWord != nil }) {
            return forms + rows.flatMap { arguments(of: $0.0, typed: $0.1, context: context) }
        }
        return rows.flatMap { arguments(of: $0.0, typed: $0.1, context: context) }
    }

    // MARK: The synopsis as a grammar

    private indirect enum Grammar {
        case word(String)
        case slot(String)
        case sequence([Grammar])
        case optional(Grammar)
        case choice([Grammar])
        /// Optional parts that may come in any order, each at most once.
        case options([Grammar])
    }

    /// The grammar of what follows `spec`'s name.
    private static func grammar(of spec: CommandSpec) -> Grammar {
        var tokens: [String] = []
        let nameWords = spec.name.split(separator: " ").count
        for raw in spec.synopsis.split(separator: " ").dropFirst(nameWords) {
            var word = Substring(raw)
            while let f = word.first, f == "[" || f == "(" { tokens.append(String(f)); word = word.dropFirst() }
            var closing: [String] = []
            while let l = word.last, l == "]" || l == ")" { closing.insert(String(l), at: 0); word = word.dropLast() }
            if !word.isEmpty { tokens.append(String(word)) }
            tokens += closing
        }
        var index = 0
        return parseSequence(tokens, &index, closer: nil)
    }

    private static func parseSequence(_ tokens: [String], _ i: inout Int, closer: String?) -> Grammar {
        var alternatives: [[Grammar]] = [[]]
        var first = true
        while i < tokens.count {
            let t = tokens[i]
            i += 1
            if t == closer { break }
            switch t {
            case "[": alternatives[alternatives.count - 1].append(.optional(parseSequence(tokens, &i, closer: "]")))
            case "(": alternatives[alternatives.count - 1].append(parseSequence(tokens, &i, closer: ")"))
            // A `|` that opens a group or stands at the top level is the language's own `|`
            // (`partition NODES | NODES [| NODES ...]`); elsewhere it separates choices.
            case "|" where !first && closer != nil: alternatives.append([])
            case "...":
                if closer == nil { i = tokens.count }  // `repeat N ... end`: the body is other lines
            default:
                let atoms: [Grammar] = t == "|" ? [.word("|")] : t.split(separator: "|").map { part in
                    let p = String(part)
                    return p.contains(where: \.isUppercase) || p.hasPrefix("$") ? .slot(p) : .word(p)
                }
                alternatives[alternatives.count - 1].append(atoms.count == 1 ? atoms[0] : .choice(atoms))
            }
            first = false
        }
        let sequences = alternatives.map { Grammar.sequence(groupOptions($0)) }
        return sequences.count == 1 ? sequences[0] : .choice(sequences)
    }

    /// Consecutive optional parts become one `options` group (any order, each at most once).
    private static func groupOptions(_ items: [Grammar]) -> [Grammar] {
        var out: [Grammar] = []
        var run: [Grammar] = []
        func flush() {
            if run.count > 1 { out.append(.options(run)) } else { out += run }
            run = []
        }
        for item in items {
            if case .optional = item { run.append(item) } else { flush(); out.append(item) }
        }
        flush()
        return out
    }

    /// The next atoms (words and slots) a stack of pending parts can start with, each with the
    /// stack left after it.
    private static func heads(_ stack: [Grammar]) -> [(atom: Grammar, rest: [Grammar])] {
        guard let first = stack.first else { return [] }
        let rest = Array(stack.dropFirst())
        switch first {
        case .word, .slot: return [(first, rest)]
        case .sequence(let items): return heads(items + rest)
        case .optional(let g): return heads([g] + rest) + heads(rest)
        case .choice(let gs): return gs.flatMap { heads([$0] + rest) }
        case .options(let gs):
            var out = heads(rest)
            for (i, g) in gs.enumerated() {
                var others = gs
                others.remove(at: i)
                out += heads([g, .options(others)] + rest)
            }
            return out
        }
    }

    /// What may follow `typed` (the words after the name) on a line of `spec`.
    private static func arguments(of spec: CommandSpec, typed: [String], context: Context) -> [String] {
        // `wait until CONDITION [within DURATION]`: the condition completes as after `expect`,
        // and `within` may follow once it is complete.
        if spec.synopsis.contains("CONDITION") {
            if typed.contains("within") { return [] }
            let condition = ["expect"] + typed
            var out = candidates(after: condition, context: context)
            if typed.count >= 1, let row = CommandTable.spec(named: "expect " + typed[0]),
               match(row, typed: Array(typed.dropFirst())).contains(where: canEnd) {
                out.append("within")
            }
            return out
        }
        return match(spec, typed: typed).flatMap { heads($0).flatMap { values(of: $0.atom, context: context) } }
    }

    /// Whether a stack of pending parts may end here.
    private static func canEnd(_ stack: [Grammar]) -> Bool {
        stack.allSatisfy { g in
            switch g {
            case .word, .slot: false
            case .sequence(let items): canEnd(items)
            case .optional, .options: true
            case .choice(let gs): gs.contains { canEnd([$0]) }
            }
        }
    }

    /// The states (stacks of pending parts) `spec`'s grammar can be in after `typed`.
    private static func match(_ spec: CommandSpec, typed: [String]) -> [[Grammar]] {
        var states: [[Grammar]] = [[grammar(of: spec)]]
        for word in typed {
            var next: [[Grammar]] = []
            for state in states {
                let options = heads(state)
                // A word that is a literal here is that literal, not a value.
                let literal = options.filter { if case .word(let w) = $0.atom { return w == word } else { return false } }
                if !literal.isEmpty {
                    next += literal.map(\.rest)
                } else {
                    next += options.filter { if case .slot = $0.atom { return true } else { return false } }.map(\.rest)
                }
            }
            states = next
            if states.isEmpty { return [] }
            if states.count > 64 { states = Array(states.prefix(64)) }
        }
        return states
    }

    /// The words that can fill an atom: a literal itself, or what a placeholder stands for.
    private static func values(of atom: Grammar, context: Context) -> [String] {
        switch atom {
        case .word(let w): return [w]
        case .slot(let slot):
            switch slot {
            case "NODE", "NODES":
                return (1...max(1, context.nodeCount)).map(String.init) + NodeSelector.keywords
                    + context.variables.map { "$" + $0 }
            case "KEY": return context.keys
            case "$VAR": return context.variables.map { "$" + $0 }
            case "ROLE": return NodeRole.allCases.map(\.rawValue)
            case "OP": return ComparisonOperator.allCases.map(\.symbol)
            case "COMMAND": return Help.topics.filter { !$0.contains(" ") }
            default: return []
            }
        default: return []
        }
    }
}
