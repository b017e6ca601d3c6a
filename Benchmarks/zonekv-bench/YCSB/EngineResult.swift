/// What one engine measured in a YCSB invocation, and the side-by-side table of several.
struct EngineResult {
    var load: (YCSBMeasurements, seconds: Double)?
    var run: (YCSBMeasurements, seconds: Double)?
    /// Run-phase throughput, sampled every quarter of a second.
    var runTimeline: [Double] = []
    /// The most anonymous resident memory the process held during the load and run.
    var peakMemoryBytes: Int?

    private static func throughput(_ phase: (YCSBMeasurements, seconds: Double)?) -> Double? {
        phase.map { Double($0.0.operations) / max($0.seconds, 1e-9) }
    }

    /// Throughput of the load and the run, and each operation's p99, with ratios against the
    /// first engine (ZoneKV).
    static func sideBySide(_ results: [(String, EngineResult)]) -> String {
        var table = TablePrinter(header: ["measure"] + results.map(\.0) + results.dropFirst().map { "\(results[0].0) / \($0.0)" })
        func row(_ name: String, _ values: [Double?], higherIsBetter: Bool, format: (Double) -> String) {
            let cells = values.map { $0.map(format) ?? "-" }
            let ratios = values.dropFirst().map { other -> String in
                guard let mine = values[0], let other, mine > 0, other > 0 else { return "-" }
                return formatPercent(higherIsBetter ? mine / other : other / mine)
            }
            table.add([name] + cells + ratios)
        }
        row("load (ops/s)", results.map { throughput($0.1.load) }, higherIsBetter: true, format: formatRate)
        row("run (ops/s)", results.map { throughput($0.1.run) }, higherIsBetter: true, format: formatRate)
        let operations = Set(results.flatMap { $0.1.run?.0.series.keys.map { $0 } ?? [] }).sorted()
        for operation in operations {
            row(
                "\(operation) p99 (us)", results.map { result in result.1.run.map { Double($0.0.percentile(99, of: operation)) } },
                higherIsBetter: false, format: { String(Int($0)) })
        }
        row("peak memory (MiB)", results.map { $0.1.peakMemoryBytes.map { Double($0) / 1_048_576 } }, higherIsBetter: false, format: format1)
        return table.render() + "\nratios: above 100% means ZoneKV is ahead (more operations per second, a lower p99, or less memory). Peak memory: anonymous resident memory, sampled 4 times a second (LMDB's map and ZoneKV's emulated device are page cache, not counted)."
    }
}
