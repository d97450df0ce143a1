@testable import Scenario
@_exported import TestSupport  // the shared SplitMix64, for every file of this target

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


let ms: UInt64 = 1_000_000
let sec: UInt64 = 1_000_000_000
