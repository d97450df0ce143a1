/// What kind of failure a run ended with, as the explorer and the shrinker compare them: a broken
/// invariant by its name ("election safety", "log matching", "leader completeness", "state machine
/// safety", "acknowledged write lost", ...), "not linearizable", "unanswered", or a failed
/// expectation's condition (`expect get`, `wait until converged`). A script error (a line whose
/// precondition does not hold, such as `fail leader` with no leader) is `error: MESSAGE`.
///
/// Shrinking keeps a scenario only while it fails with the same kind.
public struct FailureKind: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    /// The kind as reports print it.
    public var name: String

    /// A kind named `name`.
    public init(_ name: String) { self.name = name }

    /// The kind of `failure`.
    public init(of failure: ScenarioFailure) {
        self.init(message: failure.message)
    }

    /// The kind of a failure with this message.
    public init(message m: String) {
        let violated = "invariant violated: "
        if m.hasPrefix(violated) {
            let rest = m.dropFirst(violated.count)
            let end = rest.range(of: " on nodes")?.lowerBound ?? rest.endIndex
            name = String(rest[..<end])
            return
        }
        let expectation = "expectation failed: expect "
        if m.hasPrefix(expectation) {
            let condition = m.dropFirst(expectation.count)
            let word = condition.split(separator: " ").first.map(String.init) ?? ""
            switch word {
            case "linearizable": name = "not linearizable"
            case "unanswered": name = "unanswered"
            default: name = "expect " + word
            }
            return
        }
        let waitUntil = "wait until "
        if m.hasPrefix(waitUntil), m.contains(": not reached") {
            var word = m.dropFirst(waitUntil.count).split(separator: " ").first.map(String.init) ?? ""
            if word.hasSuffix(":") { word.removeLast() }
            name = "wait until " + word
            return
        }
        name = "error: " + (m.split(separator: "\n").first.map(String.init) ?? m)
    }

    /// Whether this is a script error rather than something a check caught.
    public var isScriptError: Bool { name.hasPrefix("error: ") }

    /// A file-name friendly form: `leader-completeness`.
    public var slug: String {
        var out = ""
        for ch in name.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch) } else if out.last != "-" { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(40))
    }

    public var description: String { name }

    public static func < (a: FailureKind, b: FailureKind) -> Bool { a.name < b.name }
}
