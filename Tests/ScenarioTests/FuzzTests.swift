import Testing
@testable import Scenario

/// Random token soups: the parser must always either return a script or throw
/// a `ParseError` pointing inside the text, and whatever parses must print
/// back to source that parses to the same script.
@Suite struct FuzzTests {
    static let vocabulary: [String] = CommandTable.commandWords + CommandTable.conditionWords + NodeSelector.keywords + [
        "until", "within", "via", "timeout", "fails", "none", "in", "on", "clients", "requests", "ratio", "keys", "rate",
        "seed", "election", "heartbeat", "latency", "udp", "start", "stop", "term", "follower", "candidate", "precandidate",
        "x", "y", "user:1", "a/b", "1", "2", "3", "5", "9", "0", "-1", "007", "99999999999999999999", "1e400",
        "150ms", "2s", "1m", "500us", "1.5s", "0s", "2x", "1.2.3", "150ms..300ms", "300ms..150ms", "1..3", "3..1", "1..9",
        "30%", "0%", "100%", "150%", "30%%", "x%", "0.8", "1.5", "100/s", "1e-07",
        "$L", "$T", "$Z", "$", ",", ",", "|", "|", "->", "==", "!=", "<", "<=", ">", ">=", "=", "!",
        "\"a b\"", "\"none\"", "\"", "\"\\q\"", "\"\\", "#", "# comment", "\\", "µs", "é", "\u{301}", "\u{0}", "\t",
        "\n", "\n", "\n", "\r\n", "\r", "end", "repeat", "repeat 2", "let L =", "let T = term",
    ]

    static let seeds: [String] = CommandTable.all.map(\.example) + [ParserTests.designExample, RoundTripTests.corpus]

    @Test func tenThousandTokenSoupsNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5EED)
        var parsed = 0
        var failed = 0
        var roundTripFailures = 0
        for round in 0..<10_000 {
            let source: String
            if round % 2 == 0 {
                // Pure soup.
                let count = Int.random(in: 0...14, using: &rng)
                source = (0..<count).map { _ in
                    Self.vocabulary.randomElement(using: &rng)! + ["", " ", " ", " ", "  "].randomElement(using: &rng)!
                }.joined()
            } else {
                // A valid scenario with a few tokens replaced, inserted or deleted.
                var words = Self.seeds.randomElement(using: &rng)!.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let index = Int.random(in: 0...words.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0 where index < words.count: words[index] = Self.vocabulary.randomElement(using: &rng)!
                    case 1 where index < words.count: words.remove(at: index)
                    default: words.insert(Self.vocabulary.randomElement(using: &rng)!, at: index)
                    }
                }
                source = words.joined(separator: " ")
            }
            let options = ParserOptions(defaultNodes: Int.random(in: 0...6, using: &rng),
                                        knownVariables: Bool.random(using: &rng) ? ["L"] : [])
            do {
                let script = try Parser.parse(source, file: "fuzz.scn", options: options)
                parsed += 1
                let again = try? Parser.parse(script.sourceText, file: "again.scn", options: options)
                if again?.strippingLocations() != script.strippingLocations() {
                    roundTripFailures += 1
                    if roundTripFailures <= 5 {
                        Issue.record("round trip failed for \(String(reflecting: source)) printed as \(String(reflecting: script.sourceText))")
                    }
                }
            } catch {
                failed += 1
                let lines = Lexer(source: source, file: "fuzz.scn").lineCount
                #expect((1...lines).contains(error.location.line), "\(String(reflecting: source)): \(error.render())")
                #expect(error.location.column >= 1)
                #expect(error.location.file == "fuzz.scn")
                #expect(!error.message.isEmpty)
                _ = error.render()
            }
        }
        #expect(parsed + failed == 10_000)
        // Both outcomes are exercised.
        #expect(parsed > 500)
        #expect(failed > 500)
    }
}
