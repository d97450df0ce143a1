/// Wraps prose at word boundaries, for `help` on a terminal.
enum TextWrap {
    /// The width help text is wrapped to.
    static let width = 80

    /// `text` in lines of at most `width` characters (a longer word stands alone on its line),
    /// the first line starting with `first`, the others with `rest`. Existing line breaks are kept.
    static func wrap(_ text: String, width: Int = TextWrap.width, first: String = "", rest: String = "") -> String {
        var lines: [String] = []
        var prefix = first
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = prefix
            var empty = true
            for word in paragraph.split(separator: " ") {
                if !empty && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = rest
                    empty = true
                }
                line += (empty ? "" : " ") + word
                empty = false
            }
            lines.append(line)
            prefix = rest
        }
        return lines.joined(separator: "\n")
    }
}
