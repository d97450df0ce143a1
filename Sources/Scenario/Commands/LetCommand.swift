/// `let NAME = leader|term|NODES`: capture a value for later lines as `$NAME`.
public struct LetCommand: ScenarioCommand {
    /// The row of `let`.
    public static let specs = [
        CommandSpec(
            name: "let",
            synopsis: "let NAME = leader|term|NODES",
            summary: "Capture the current leader, term or nodes for later lines as $NAME.",
            example: "let L = leader",
            keywords: ["leader", "term"],
            category: .inspection),
    ]

    /// The variable's name, without `$`.
    public var name: String
    /// What it captures.
    public var value: LetValue

    /// A `let` line.
    public init(name: String, value: LetValue) {
        self.name = name
        self.value = value
    }

    /// Reads `NAME = term` or `NAME = NODES`; later lines may use `$NAME`.
    public init(parsing p: inout LineParser) throws(ParseError) {
        let nameExpected = "a name of letters, digits and _ such as L"
        let nameToken = try p.require("NAME", expected: nameExpected)
        guard case .word(let name) = nameToken.kind, Literals.isIdentifier(name) else {
            if case .variable(let name) = nameToken.kind {
                throw p.failure("write the name without '$': let \(name) = ...", at: nameToken.location, expected: nameExpected)
            }
            throw p.failure("invalid variable name \(LineParser.describe(nameToken))", at: nameToken.location, expected: nameExpected)
        }
        let equals = try p.require("'='")
        guard equals.kind == .assign else {
            throw p.failure("expected '=', found \(LineParser.describe(equals))", at: equals.location, expected: p.synopsis)
        }
        self.name = name
        value = p.accept(word: "term") ? .term : .nodes(try p.parseSelector("leader, term or NODES").selector)
        p.variables.insert(name)
        p.forgottenVariables[name] = nil
    }

    /// `let NAME = ...`.
    public var sourceText: String {
        switch value {
        case .term: "let \(name) = term"
        case .nodes(let nodes): "let \(name) = " + nodes.sourceText
        }
    }

    /// Binds the variable to the current term or to the nodes resolved now, and prints it.
    public func execute(in x: ExecutionContext) throws {
        _ = try x.cluster()
        let bound: Executor.Value
        switch value {
        case .term:
            bound = .number(Int(try x.inspection("let \(name) = term").term))
        case .nodes(let sel):
            bound = .nodes(try x.resolve(sel))
        }
        x.executor.variables[name] = bound
        x.output("\(name) = \(bound)")
    }
}
