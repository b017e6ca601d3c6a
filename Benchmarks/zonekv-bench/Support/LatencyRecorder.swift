import Histogram

/// Operation latencies in nanoseconds (HdrHistogram, 3 significant digits) and the wall time
/// they took, for one measured phase.
struct LatencyRecorder {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    private(set) var operations = 0
    private(set) var elapsed = Duration.zero

    /// Runs `operation` `count` times (or until `seconds` pass), timing each.
    mutating func measure(count: Int = .max, seconds: Double = .infinity, _ operation: (Int) throws -> Void) rethrows {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = seconds.isFinite ? start.advanced(by: .milliseconds(Int64(seconds * 1000))) : nil
        var index = 0
        var before = start
        while index < count {
            try operation(index)
            let after = clock.now
            _ = histogram.record(UInt64(max(0, (after - before).nanoseconds)))
            before = after
            index += 1
            if let deadline, index & 63 == 0, after >= deadline { break }
        }
        operations += index
        elapsed += before - start
    }

    /// Records one latency measured elsewhere (an asynchronous command's, say).
    mutating func record(_ latency: Duration) {
        _ = histogram.record(UInt64(max(0, latency.nanoseconds)))
        operations += 1
    }

    /// Adds wall time to the phase, for latencies recorded one by one.
    mutating func addElapsed(_ seconds: Double) {
        elapsed += .nanoseconds(Int64(seconds * 1e9))
    }

    /// Adds another phase's measurements: run after this one (times add up) or at the same time
    /// on another thread (the longer time counts).
    mutating func merge(_ other: LatencyRecorder, concurrently: Bool = false) {
        histogram.add(other.histogram)
        operations += other.operations
        elapsed = concurrently ? max(elapsed, other.elapsed) : elapsed + other.elapsed
    }

    var operationsPerSecond: Double { Double(operations) / max(elapsed.seconds, 1e-9) }

    /// The latency at `percentile` (0-100), in microseconds.
    func microseconds(atPercentile percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    var meanNanoseconds: Double { histogram.mean }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
