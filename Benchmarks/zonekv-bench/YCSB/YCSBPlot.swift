import Foundation

/// An SVG of a YCSB run: throughput over time per engine, and latency percentiles per
/// operation and engine (log scale), drawn as plain polylines.
struct YCSBPlot {
    let results: [(String, EngineResult)]
    let sampleSeconds: Double
    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    private static let percentiles = [50.0, 75, 90, 95, 99, 99.9, 99.99]
    private let width = 900.0
    private let panelHeight = 300.0
    private let margin = 60.0

    func render() -> String {
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(panelHeight * 2 + margin * 3))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ]
        svg += throughputPanel(top: margin)
        svg += latencyPanel(top: margin * 2 + panelHeight)
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    private func throughputPanel(top: Double) -> [String] {
        let peak = max(1, results.flatMap(\.1.runTimeline).max() ?? 1)
        let longest = max(1, results.map(\.1.runTimeline.count).max() ?? 1)
        var parts = frame(top: top, title: "run throughput (operations/s) over time", yLabel: formatRate(peak), xLabel: "\(format1(Double(longest) * sampleSeconds)) s")
        for (index, (name, result)) in results.enumerated() where !result.runTimeline.isEmpty {
            let points = result.runTimeline.enumerated().map { sample, value in
                point(x: Double(sample) / Double(max(longest - 1, 1)), y: value / peak, top: top)
            }
            parts.append(polyline(points, color: Self.colors[index % Self.colors.count]))
            parts.append(legend(name, index: index, top: top))
        }
        return parts
    }

    private func latencyPanel(top: Double) -> [String] {
        var series: [(label: String, values: [Double])] = []
        for (name, result) in results {
            guard let measurements = result.run?.0 else { continue }
            for operation in measurements.series.keys.sorted() {
                series.append(("\(name) \(operation)", Self.percentiles.map { Double(max(1, measurements.percentile($0, of: operation))) }))
            }
        }
        let peak = max(10, series.flatMap(\.values).max() ?? 10)
        let decades = log10(peak)
        var parts = frame(
            top: top, title: "latency (us, log scale) at percentiles " + Self.percentiles.map { String(format: "%g", $0) }.joined(separator: ", "),
            yLabel: formatRate(peak), xLabel: "p\(String(format: "%g", Self.percentiles.last!))")
        for (index, entry) in series.enumerated() {
            let points = entry.values.enumerated().map { position, value in
                point(x: Double(position) / Double(Self.percentiles.count - 1), y: log10(value) / decades, top: top)
            }
            parts.append(polyline(points, color: Self.colors[index % Self.colors.count]))
            parts.append(legend(entry.label, index: index, top: top))
        }
        return parts
    }

    private func point(x: Double, y: Double, top: Double) -> String {
        String(format: "%.1f,%.1f", margin + x * (width - 2 * margin), top + panelHeight - min(max(y, 0), 1) * panelHeight)
    }

    private func polyline(_ points: [String], color: String) -> String {
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
    }

    private func legend(_ text: String, index: Int, top: Double) -> String {
        "<text x=\"\(Int(width - margin - 200))\" y=\"\(Int(top + 16 + Double(index) * 16))\" fill=\"\(Self.colors[index % Self.colors.count])\">\(escaped(text))</text>"
    }

    private func frame(top: Double, title: String, yLabel: String, xLabel: String) -> [String] {
        [
            "<text x=\"\(Int(margin))\" y=\"\(Int(top - 10))\" font-weight=\"bold\">\(escaped(title))</text>",
            "<rect x=\"\(Int(margin))\" y=\"\(Int(top))\" width=\"\(Int(width - 2 * margin))\" height=\"\(Int(panelHeight))\" fill=\"none\" stroke=\"#888\"/>",
            "<text x=\"4\" y=\"\(Int(top + 12))\">\(escaped(yLabel))</text>",
            "<text x=\"\(Int(width - margin - 40))\" y=\"\(Int(top + panelHeight + 16))\">\(escaped(xLabel))</text>",
        ]
    }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
