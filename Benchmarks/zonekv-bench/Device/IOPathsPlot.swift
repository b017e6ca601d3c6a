import Foundation

/// An SVG of `zonekv-bench iopaths`: IOPS and p99 latency (log scale) against queue depth,
/// one line per I/O path.
struct IOPathsPlot {
    let results: IOPathResults

    func render() -> String {
        let depths = results.depths
        let last = Double(max(depths.count - 1, 1))
        let xLabels = depths.enumerated().map { (Double($0.offset) / last, "\($0.element)") }
        func lines(_ value: (LatencyRecorder) -> Double, scale: (Double) -> Double) -> [SVGChart.Line] {
            results.paths.indices.map { path in
                SVGChart.Line(
                    label: results.paths[path].name,
                    points: depths.indices.compactMap { column in
                        results.value(path: path, depth: column).map { (Double(column) / last, scale(value($0))) }
                    })
            }
        }
        let measured = results.paths.indices.flatMap { path in depths.indices.compactMap { results.value(path: path, depth: $0) } }
        let peakRate = max(1, measured.map(\.operationsPerSecond).max() ?? 1)
        let peakLatency = max(10, measured.map { $0.microseconds(atPercentile: 99) }.max() ?? 10)
        return SVGChart().render([
            SVGChart.Panel(
                title: "4 KiB random-read IOPS by queue depth", yLabel: formatRate(peakRate), xLabels: xLabels,
                lines: lines({ $0.operationsPerSecond }, scale: { $0 / peakRate })),
            SVGChart.Panel(
                title: "p99 latency (us, log scale) by queue depth", yLabel: format1(peakLatency), xLabels: xLabels,
                lines: lines({ max(1, $0.microseconds(atPercentile: 99)) }, scale: { log10($0) / log10(peakLatency) })),
        ])
    }
}
