import Histogram
import YCSB

/// Latencies and outcomes per YCSB operation (HdrHistogram, microseconds), as one thread or a
/// whole run measured them; printed in the form of YCSB's text exporter.
struct YCSBMeasurements {
    /// An operation's name as YCSB prints it (`READ`, `READ-FAILED`, ...) and its measurements.
    struct Series {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var returns: [String: Int] = [:]
    }

    private(set) var series: [String: Series] = [:]

    /// Records one operation: its latency in microseconds and how it ended (`OK`, `NOT_FOUND`,
    /// `ERROR`); failures go under `NAME-FAILED`, as in YCSB.
    mutating func record(_ operation: String, microseconds: UInt64, status: String) {
        let name = status == "OK" ? operation : operation + "-FAILED"
        _ = series[name, default: Series()].histogram.record(max(1, microseconds))
        series[name, default: Series()].returns[status, default: 0] += 1
    }

    mutating func merge(_ other: YCSBMeasurements) {
        for (name, theirs) in other.series {
            series[name, default: Series()].histogram.add(theirs.histogram)
            for (status, count) in theirs.returns { series[name, default: Series()].returns[status, default: 0] += count }
        }
    }

    var operations: Int { series.values.reduce(0) { $0 + Int($1.histogram.totalCount) } }

    func percentile(_ percentile: Double, of name: String) -> UInt64 {
        series[name]?.histogram.valueAtPercentile(percentile) ?? 0
    }

    /// The report as JSON-ready values: overall figures, then each series.
    func jsonObject(runMilliseconds: Double, operations counted: Int) -> [String: Any] {
        var series: [String: Any] = [:]
        for (name, measured) in self.series {
            let histogram = measured.histogram
            series[name] = [
                "operations": Int(histogram.totalCount), "averageLatencyUs": histogram.mean, "minLatencyUs": Int(histogram.min),
                "maxLatencyUs": Int(histogram.max), "p50LatencyUs": Int(histogram.valueAtPercentile(50)),
                "p95LatencyUs": Int(histogram.valueAtPercentile(95)), "p99LatencyUs": Int(histogram.valueAtPercentile(99)),
                "returns": measured.returns,
            ] as [String: Any]
        }
        return [
            "runTimeMs": Int(runMilliseconds.rounded()), "throughputOpsPerSec": Double(counted) / max(runMilliseconds, 1e-9) * 1000,
            "series": series,
        ]
    }

    /// YCSB's text report: `[OVERALL]`, then each operation.
    func report(runMilliseconds: Double, operations counted: Int) -> String {
        var lines = [
            "[OVERALL], RunTime(ms), \(Int(runMilliseconds.rounded()))",
            "[OVERALL], Throughput(ops/sec), \(Double(counted) / max(runMilliseconds, 1e-9) * 1000)",
        ]
        for name in series.keys.sorted() {
            let histogram = series[name]!.histogram
            lines += [
                "[\(name)], Operations, \(histogram.totalCount)",
                "[\(name)], AverageLatency(us), \(histogram.mean)",
                "[\(name)], MinLatency(us), \(histogram.min)",
                "[\(name)], MaxLatency(us), \(histogram.max)",
                "[\(name)], 50thPercentileLatency(us), \(histogram.valueAtPercentile(50))",
                "[\(name)], 95thPercentileLatency(us), \(histogram.valueAtPercentile(95))",
                "[\(name)], 99thPercentileLatency(us), \(histogram.valueAtPercentile(99))",
            ]
            for (status, count) in series[name]!.returns.sorted(by: { $0.key < $1.key }) { lines.append("[\(name)], Return=\(status), \(count)") }
        }
        return lines.joined(separator: "\n")
    }
}
