// Node selectors and links.

extension LineParser {

    /// A selector with where it was written and the literal ids it names.
    struct ParsedSelector {
    /// The selector.
        var selector: NodeSelector
    /// Where it starts.
        var location: SourceLocation
        /// The literal ids and where each was written.
        var ids: [(id: Int, location: SourceLocation)]
    }

    /// What a selector looks like, for messages.
    var selectorExpected: String {
        "a node id from 1 to \(nodeCount), a list such as 1,2, leader, follower, followers, all, rest or $VAR"
    }

    /// A node selector: ids, lists, ranges, selector words and `$VAR`s joined by commas.
    /// Literal ids are checked against the cluster size; `single` demands one node.
    mutating func parseSelector(_ what: String, single: Bool = false) throws(ParseError) -> ParsedSelector {
        var parts: [NodeSelector] = []
        var ids: [(id: Int, location: SourceLocation)] = []
        var start: SourceLocation?
        while true {
            guard let token = next() else {
                if parts.isEmpty {
                    throw failure("missing \(what) for '\(command)'", at: missingLocation, expected: synopsis)
                }
                throw failure("missing node after ','", at: missingLocation, expected: selectorExpected)
            }
            if start == nil { start = token.location }
            switch token.kind {
            case .integer(let id):
                try checkNode(id, token, ids)
                ids.append((id, token.location))
                appendIds([id], to: &parts)
            case .integerRange(let low, let high):
                guard low <= high else {
                    throw failure("range '\(token.text)' goes backwards", at: token.location, expected: "LOW..HIGH with LOW <= HIGH")
                }
                try checkNode(low, token, ids)
                try checkNode(high, token, ids)
                for id in low...high {
                    try checkNode(id, token, ids)
                    ids.append((id, token.location))
                }
                appendIds(Array(low...high), to: &parts)
            case .word(let word):
                switch word {
                case "leader": parts.append(.leader)
                case "follower": parts.append(.follower)
                case "followers": parts.append(.followers)
                case "all": parts.append(.all)
                case "rest": parts.append(.rest)
                default:
                    if let first = word.unicodeScalars.first, Literals.isDigit(first) || first == "-" {
                        throw failure("malformed node id '\(word)'", at: token.location, expected: selectorExpected)
                    }
                    throw failure("unknown node selector '\(word)'" + Suggestions.hint(for: word, among: NodeSelector.keywords),
                                  at: token.location, expected: selectorExpected)
                }
            case .variable(let name):
                try checkVariable(name, token)
                parts.append(.variable(name))
            case .decimal, .duration, .percent, .durationRange:
                throw failure("malformed node id '\(token.text)'", at: token.location, expected: selectorExpected)
            default:
                throw failure("expected \(what), found \(Self.describe(token))", at: token.location, expected: selectorExpected)
            }
            guard accept(.comma) else { break }
        }
        let selector = parts.count == 1 ? parts[0] : .union(parts)
        let location = start ?? missingLocation
        if single && !selector.isSingle {
            throw failure("expected a single node, found '\(selector.sourceText)'", at: location,
                          expected: "one node: an id from 1 to \(nodeCount), leader, follower or $VAR")
        }
        return ParsedSelector(selector: selector, location: location, ids: ids)
    }

    private func appendIds(_ new: [Int], to parts: inout [NodeSelector]) {
        if case .ids(let existing)? = parts.last {
            parts[parts.count - 1] = .ids(existing + new)
        } else {
            parts.append(.ids(new))
        }
    }

    /// Throws unless `id` is in the cluster and not already in `seen`.
    func checkNode(_ id: Int, _ token: Token, _ seen: [(id: Int, location: SourceLocation)]) throws(ParseError) {
        guard id >= 1, id <= nodeCount else {
            throw failure("node \(id) is out of range: the cluster has \(nodeCount) node\(nodeCount == 1 ? "" : "s")",
                          at: token.location, expected: "a node id from 1 to \(nodeCount)")
        }
        guard !seen.contains(where: { $0.id == id }) else {
            throw failure("node \(id) is named twice", at: token.location, expected: "each node at most once")
        }
    }

    /// Throws unless `$name` was bound by an earlier `let` (or the options).
    func checkVariable(_ name: String, _ token: Token) throws(ParseError) {
        if !variables.contains(name), let line = forgottenVariables[name] {
            throw failure("'$\(name)' was bound before the `cluster` line on line \(line), which starts a fresh cluster and forgets every variable",
                          at: token.location, expected: "a variable set by a 'let' after the latest 'cluster' line")
        }
        guard variables.contains(name) else {
            let known = variables.sorted()
            let expected = known.isEmpty
                ? "a variable set by an earlier 'let' (none is set yet)"
                : "a variable set by an earlier 'let': " + known.map { "$" + $0 }.joined(separator: ", ")
            let hint = Suggestions.closest(to: name, among: known).map { "; did you mean '$\($0)'?" } ?? ""
            throw failure("unknown variable '$\(name)'" + hint,
                          at: token.location, expected: expected)
        }
    }

    /// `NODES -> NODES`.
    mutating func parseLink() throws(ParseError) -> Link {
        let from = try parseSelector("NODES")
        let arrow = try require("'->'", expected: "'->' between the sending and the receiving nodes, as in 1 -> 2")
        guard arrow.kind == .arrow else {
            throw failure("expected '->', found \(Self.describe(arrow))", at: arrow.location,
                          expected: "'->' between the sending and the receiving nodes, as in 1 -> 2")
        }
        let to = try parseSelector("NODES after '->'")
        return Link(from: from.selector, to: to.selector)
    }

    /// An optional `[on] NODES -> NODES` at the end of the line.
    mutating func parseOptionalLink() throws(ParseError) -> Link? {
        guard !atEnd else { return nil }
        _ = accept(word: "on")
        return try parseLink()
    }
}
