/// Why a client operation failed, as `expect put ... fails with REASON` (and `get`) names it.
public enum FailureReason: String, Sendable, Hashable, CaseIterable {
    /// No answer came within the operation's timeout.
    case timeout
    /// The node asked answered "not leader": it redirected the request, or it took a write as
    /// leader and lost leadership before committing it.
    case notLeader = "not-leader"
    /// The operation got no acknowledgement (a timeout, or a leader that lost leadership) while
    /// the node handling it could not reach a quorum: the `via` node, or, without `via`, every
    /// node that is up. A node reaches a quorum when it and the members up, running and connected
    /// to it both ways under the current cuts make a majority of the configuration.
    case noQuorum = "no-quorum"

    /// The reason as written after `fails with`.
    public var sourceText: String { rawValue }
}

extension LineParser {
    /// `fails [with timeout|not-leader|no-quorum]`, the `fails` already read: the reason, or nil.
    mutating func parseFailureReason() throws(ParseError) -> FailureReason? {
        guard accept(word: "with") else {
            trailing.append("'with'")
            return nil
        }
        return try parseFailureReasonWord()
    }

    /// One of timeout, not-leader, no-quorum (and the words of `extra`, named in the error only),
    /// `with` already read.
    mutating func parseFailureReasonWord(extra: [String] = []) throws(ParseError) -> FailureReason {
        let reasons = extra + FailureReason.allCases.map(\.rawValue)
        let expected = "a reason: " + reasons.joined(separator: ", ")
        let token = try require("a reason after 'with'", expected: expected)
        guard case .word(let word) = token.kind, let reason = FailureReason(rawValue: word) else {
            let hint = if case .word(let word) = token.kind { Suggestions.hint(for: word, among: reasons) } else { "" }
            throw failure("unknown failure reason \(Self.describe(token))" + hint, at: token.location, expected: expected)
        }
        return reason
    }
}
