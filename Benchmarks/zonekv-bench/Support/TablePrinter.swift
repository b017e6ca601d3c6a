/// Prints rows as an aligned text table (Markdown-compatible, so it pastes into the README).
struct TablePrinter {
    let header: [String]
    private(set) var rows: [[String]] = []

    init(header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { index, cell in
                cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// "12.3k", "1.2M": compact operation rates.
func formatRate(_ value: Double) -> String {
    if value >= 1_000_000 { return String(format1(value / 1_000_000)) + "M" }
    if value >= 1_000 { return String(format1(value / 1_000)) + "k" }
    return format1(value)
}

/// One decimal place, without Foundation.
func format1(_ value: Double) -> String {
    let scaled = (value * 10).rounded()
    let whole = Int(scaled / 10)
    let tenth = Int(abs(scaled.truncatingRemainder(dividingBy: 10)))
    return "\(whole).\(tenth)"
}

/// A ratio as a percentage, e.g. "97%".
func formatPercent(_ ratio: Double) -> String {
    ratio.isFinite ? "\(Int((ratio * 100).rounded()))%" : "-"
}
