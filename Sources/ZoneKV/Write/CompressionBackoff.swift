/// Decides which values are worth an LZ4 attempt. Incompressible data (already compressed or
/// encrypted values) would pay for a failed attempt on every write; after a failure, the next
/// attempts are skipped, twice as many after each further failure (up to `longestSkip`), and
/// one success returns to trying every value.
struct CompressionBackoff {
    /// The most values skipped after a run of failures.
    static let longestSkip = 64

    private var skip = 0
    private var skipped = 0

    /// Whether to try compressing the next value.
    mutating func shouldTry() -> Bool {
        if skipped < skip {
            skipped += 1
            return false
        }
        return true
    }

    /// Records the outcome of an attempt.
    mutating func attempted(saved: Bool) {
        skipped = 0
        skip = saved ? 0 : min(Self.longestSkip, max(1, skip * 2))
    }
}
