/// "Did you mean" for misspelt words.
enum Suggestions {
    /// The candidate closest to `word` by edit distance, if close enough to be a
    /// likely typo (or if `word` is a prefix of it at least two characters long).
    static func closest(to word: String, among candidates: [String]) -> String? {
        guard !word.isEmpty else { return nil }
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate)
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        if let (candidate, distance) = best, distance <= max(1, min(3, word.count / 2)) {
            return candidate
        }
        if lowered.count >= 2, let candidate = candidates.first(where: { $0.hasPrefix(lowered) }) {
            return candidate
        }
        return nil
    }

    /// `; did you mean 'X'?` or the empty string.
    static func hint(for word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        if a.count > 64 || b.count > 64 { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
