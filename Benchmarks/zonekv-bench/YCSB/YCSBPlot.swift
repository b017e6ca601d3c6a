import Foundation

/// An SVG of a YCSB run: throughput over time per engine, and latency percentiles per
/// operation and engine (log scale).
struct YCSBPlot {
    let results: [(String, EngineResult)]
    let sampleSeconds: Double
    private static let percentiles = [50.0, 75, 90, 95, 99, 99.9, 99.99]

    func render() -> String {
        SVGChart().render([throughputPanel(), latencyPanel()])
    }

    private func throughputPanel() -> SVGChart.Panel {
        let peak = max(1, results.flatMap(\.1.runTimeline).max() ?? 1)
        let longest = max(1, results.map(\.1.runTimeline.count).max() ?? 1)
        let lines = results.map { name, result in
            SVGChart.Line(
                label: name,
                points: result.runTimeline.enumerated().map { sample, value in (Double(sample) / Double(max(longest - 1, 1)), value / peak) })
        }
        return SVGChart.Panel(
            title: "run throughput (operations/s) over time", yLabel: formatRate(peak),
            xLabels: [(0, "0 s"), (1, "\(format1(Double(longest) * sampleSeconds)) s")], lines: lines)
    }

    private func latencyPanel() -> SVGChart.Panel {
        var series: [(label: String, values: [Double])] = []
        for (name, result) in results {
            guard let measurements = result.run?.0 else { continue }
            for operation in measurements.series.keys.sorted() {
                series.append(("\(name) \(operation)", Self.percentiles.map { Double(max(1, measurements.percentile($0, of: operation))) }))
            }
        }
        let peak = max(10, series.flatMap(\.values).max() ?? 10)
        let decades = log10(peak)
        let last = Double(Self.percentiles.count - 1)
        let lines = series.map { entry in
            SVGChart.Line(
                label: entry.label,
                points: entry.values.enumerated().map { position, value in (Double(position) / last, log10(value) / decades) })
        }
        return SVGChart.Panel(
            title: "latency (us, log scale) at percentiles " + Self.percentiles.map { String(format: "%g", $0) }.joined(separator: ", "),
            yLabel: formatRate(peak),
            xLabels: Self.percentiles.enumerated().map { (Double($0.offset) / last, "p" + String(format: "%g", $0.element)) },
            lines: lines)
    }
}
