@testable import Scenario

/// Parses and returns the statement kinds (locations dropped).
func kinds(_ source: String, options: ParserOptions = ParserOptions()) throws(ParseError) -> [StatementKind] {
    try Parser.parse(source, file: "t.scn", options: options).statements.map(\.kind)
}

/// Parses, expecting an error; returns it (nil if the source parsed).
func parseError(_ source: String, options: ParserOptions = ParserOptions()) -> ParseError? {
    do {
        _ = try Parser.parse(source, file: "t.scn", options: options)
        return nil
    } catch {
        return error
    }
}

/// A small deterministic PRNG (SplitMix64) for the fuzz tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let ms: UInt64 = 1_000_000
let sec: UInt64 = 1_000_000_000
