extension ScriptParser {
    static var conditionExpected: String {
        "a condition: " + CommandTable.conditionWords.joined(separator: ", ")
    }

    /// Parses a condition (after `expect` or `wait until`).
    mutating func parseCondition() throws(ParseError) -> Condition {
        let token = try require("CONDITION", expected: Self.conditionExpected)
        guard case .word(let word) = token.kind, CommandTable.conditionWords.contains(word) else {
            let hint = if case .word(let word) = token.kind {
                Suggestions.hint(for: word, among: CommandTable.conditionWords)
            } else { "" }
            throw failure("unknown condition \(Self.describe(token))" + hint, at: token.location, expected: Self.conditionExpected)
        }
        if let spec = CommandTable.spec(named: "expect " + word) {
            synopsis = command == "wait"
                ? "wait until " + spec.synopsis.dropFirst("expect ".count) + " [within DURATION]"
                : spec.synopsis
        }
        switch word {
        case "leader":
            if accept(word: "in") {
                return .leader(in: try parseSelector("NODES after 'in'").selector)
            }
            if let next = peek, case .compare = next.kind {
                let op = try parseOperator(equalityOnly: true)
                return .leaderIs(op, try parseSelector("NODE", single: true).selector)
            }
            trailing = ["'in'", "'=='", "'!='"]
            return .leader(in: nil)
        case "no":
            try expect(word: "leader")
            if accept(word: "in") {
                return .noLeader(in: try parseSelector("NODES after 'in'").selector)
            }
            trailing = ["'in'"]
            return .noLeader(in: nil)
        case "get":
            let key = try parseKey()
            var options = try parseClientOptions()
            if accept(word: "fails") {
                options = try parseClientOptions(options)
                return .getFails(key: key, options: options)
            }
            let token = try require("'== VALUE' or 'fails'")
            guard token.kind == .compare(.equal) else {
                throw failure("expected '==' or 'fails', found \(Self.describe(token))", at: token.location, expected: synopsis)
            }
            let expected = try parseExpectedValue()
            options = try parseClientOptions(options)
            return .get(key: key, options: options, equals: expected)
        case "put":
            let key = try parseKey()
            let value = try parseValue()
            var options = try parseClientOptions()
            let token = try require("'fails'")
            guard token.kind == .word("fails") else {
                throw failure("expected 'fails', found \(Self.describe(token))", at: token.location, expected: synopsis)
            }
            options = try parseClientOptions(options)
            return .putFails(key: key, value: value, options: options)
        case "role":
            let nodes = try parseSelector("NODES").selector
            let op = try parseOperator(equalityOnly: true)
            return .role(nodes, op, try parseRole())
        case "term":
            let op = try parseOperator(equalityOnly: false)
            return .term(op, try parseIntOperand())
        case "converged":
            return .converged
        case "linearizable":
            return .linearizable
        case "invariants":
            return .invariants
        case "applied":
            let key = try parseKey()
            let token = try require("'=='")
            guard token.kind == .compare(.equal) else {
                throw failure("expected '==', found \(Self.describe(token))", at: token.location, expected: synopsis)
            }
            let expected = try parseExpectedValue()
            try expect(word: "on")
            return .applied(key: key, equals: expected, on: try parseSelector("NODES after 'on'").selector)
        case "unanswered":
            let op = try parseOperator(equalityOnly: false)
            return .unanswered(op, try parseInteger("the count", in: 0...Int.max))
        case "metric":
            let name = try parseKey("metric NAME")
            let op = try parseOperator(equalityOnly: false)
            return .metric(name: name, op, try parseMetricValue())
        default:
            throw failure("condition '\(word)' cannot be used here", at: token.location, expected: Self.conditionExpected)
        }
    }

    mutating func parseOperator(equalityOnly: Bool) throws(ParseError) -> ComparisonOperator {
        let expected = equalityOnly ? "== or !=" : "a comparison: == != < <= > >="
        let token = try require("a comparison", expected: expected)
        guard case .compare(let op) = token.kind else {
            throw failure("expected \(equalityOnly ? "'==' or '!='" : "a comparison"), found \(Self.describe(token))",
                          at: token.location, expected: expected)
        }
        guard !equalityOnly || op == .equal || op == .notEqual else {
            throw failure("only '==' and '!=' apply here, not '\(op.symbol)'", at: token.location, expected: expected)
        }
        return op
    }

    mutating func parseRole() throws(ParseError) -> NodeRole {
        let roles = NodeRole.allCases.map(\.rawValue)
        let expected = "a role: " + roles.joined(separator: ", ")
        let token = try require("ROLE", expected: expected)
        guard case .word(let word) = token.kind, let role = NodeRole(rawValue: word) else {
            let hint = if case .word(let word) = token.kind { Suggestions.hint(for: word, among: roles) } else { "" }
            throw failure("unknown role \(Self.describe(token))" + hint, at: token.location, expected: expected)
        }
        return role
    }

    mutating func parseIntOperand() throws(ParseError) -> IntOperand {
        let expected = "a non-negative integer or a $VAR from 'let'"
        let token = try require("N", expected: expected)
        switch token.kind {
        case .integer(let value) where value >= 0:
            return .literal(value)
        case .integer:
            throw failure("N must not be negative", at: token.location, expected: expected)
        case .variable(let name):
            try checkVariable(name, token)
            return .variable(name)
        case let kind where kind.isPlainValue:
            throw failure("malformed number '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected N, found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }

    mutating func parseExpectedValue() throws(ParseError) -> ExpectedValue {
        if accept(word: "none") { return .none }
        return .value(try parseValue())
    }

    mutating func parseMetricValue() throws(ParseError) -> MetricValue {
        let expected = "a number, a duration such as 50ms, or a percentage such as 5%"
        let token = try require("VALUE", expected: expected)
        switch token.kind {
        case .integer(let value): return .number(Double(value))
        case .decimal(let value): return .number(value)
        case .duration(let value): return .duration(value)
        case .percent(let value):
            guard value <= 100 else {
                throw failure("percentage \(token.text) is above 100%", at: token.location, expected: expected)
            }
            return .percent(value)
        case let kind where kind.isPlainValue:
            throw failure("malformed value '\(token.text)'", at: token.location, expected: expected)
        default:
            throw failure("expected VALUE, found \(Self.describe(token))", at: token.location, expected: expected)
        }
    }
}
