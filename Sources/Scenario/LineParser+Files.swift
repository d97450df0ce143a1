// File names on a line (`save FILE`, `timeline FILE`).

extension LineParser {
    /// A file name, bare or quoted; `example` shows one in the error.
    mutating func parseFileName(example: String) throws(ParseError) -> String {
        let token = try require("FILE")
        switch token.kind {
        case .string(let text) where !text.isEmpty: return text
        case let other where other.isPlainValue: return token.text
        default:
            throw failure("expected FILE, found \(LineParser.describe(token))", at: token.location,
                          expected: "a file name such as \(example)")
        }
    }
}
