import Foundation

/// A plain SVG line chart of stacked panels, each with its own lines: what the benchmarks' `--plot`
/// files are drawn with. Points are given on a 0...1 scale in both axes; callers scale them.
struct SVGChart {
    struct Line {
        var label: String
        /// (x, y), each from 0 to 1.
        var points: [(x: Double, y: Double)]
    }

    struct Panel {
        var title: String
        /// What the top of the y axis stands for.
        var yLabel: String
        /// Labels along the x axis at positions from 0 to 1.
        var xLabels: [(position: Double, text: String)]
        var lines: [Line]
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
    private let width = 900.0
    private let panelHeight = 300.0
    private let margin = 60.0

    /// The SVG document of `panels`, one under the other.
    func render(_ panels: [Panel]) -> String {
        let height = Double(panels.count) * (panelHeight + margin) + margin
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ]
        for (index, panel) in panels.enumerated() {
            svg += draw(panel, top: margin + Double(index) * (panelHeight + margin))
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    private func draw(_ panel: Panel, top: Double) -> [String] {
        var parts = [
            "<text x=\"\(Int(margin))\" y=\"\(Int(top - 10))\" font-weight=\"bold\">\(escaped(panel.title))</text>",
            "<rect x=\"\(Int(margin))\" y=\"\(Int(top))\" width=\"\(Int(width - 2 * margin))\" height=\"\(Int(panelHeight))\" fill=\"none\" stroke=\"#888\"/>",
            "<text x=\"4\" y=\"\(Int(top + 12))\">\(escaped(panel.yLabel))</text>",
        ]
        for label in panel.xLabels {
            let x = margin + label.position * (width - 2 * margin)
            parts.append("<text x=\"\(Int(x) - 8)\" y=\"\(Int(top + panelHeight + 16))\">\(escaped(label.text))</text>")
        }
        for (index, line) in panel.lines.enumerated() where !line.points.isEmpty {
            let color = Self.colors[index % Self.colors.count]
            let points = line.points.map { point in
                String(format: "%.1f,%.1f", margin + point.x * (width - 2 * margin), top + panelHeight - min(max(point.y, 0), 1) * panelHeight)
            }
            parts.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>")
            parts.append("<text x=\"\(Int(width - margin - 260))\" y=\"\(Int(top + 16 + Double(index) * 16))\" fill=\"\(color)\">\(escaped(line.label))</text>")
        }
        return parts
    }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
