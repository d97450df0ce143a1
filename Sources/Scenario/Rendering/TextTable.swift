/// Plain-text tables: left-aligned columns separated by two spaces.
enum TextTable {
    /// The rows as a table, the first row as the header. `paint` may return an ANSI color for a
    /// body cell (widths are measured without it). Trailing blanks are trimmed from every line.
    static func render(_ rows: [[String]], paint: ((String, Int) -> String?)? = nil) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.enumerated().map { (rowIndex, r) in
            var line = ""
            for (i, cell) in r.enumerated() {
                if rowIndex > 0, let color = paint?(cell, i) {
                    line += color + cell + "\u{1B}[0m"
                } else {
                    line += cell
                }
                if i < r.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
