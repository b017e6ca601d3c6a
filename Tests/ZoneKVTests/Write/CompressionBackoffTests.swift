import Testing
@testable import ZoneKV

@Suite
struct CompressionBackoffTests {
    /// How many of the next `count` values the backoff tries, each attempt failing.
    private func attemptsWhileFailing(_ backoff: inout CompressionBackoff, count: Int) -> Int {
        var attempts = 0
        for _ in 0..<count where backoff.shouldTry() {
            attempts += 1
            backoff.attempted(saved: false)
        }
        return attempts
    }

    @Test("compressible data is tried every time")
    func compressibleAlwaysTried() {
        var backoff = CompressionBackoff()
        for _ in 0..<100 {
            let tried = backoff.shouldTry()
            #expect(tried)
            backoff.attempted(saved: true)
        }
    }

    @Test("incompressible data is tried ever more rarely, down to one in 65, and one success resets")
    func incompressibleBacksOff() {
        var backoff = CompressionBackoff()
        // Skips of 1, 2, 4, 8, 16, 32, then 64 after each failed attempt.
        let early = attemptsWhileFailing(&backoff, count: 1 + 2 + 3 + 5 + 9 + 17 + 33)
        #expect(early == 7)
        let steady = attemptsWhileFailing(&backoff, count: 65 * 10)
        #expect(steady == 10)
        // Skip to the next attempt, succeed, and every value is tried again.
        while !backoff.shouldTry() {}
        backoff.attempted(saved: true)
        let triedAfterSuccess = backoff.shouldTry()
        #expect(triedAfterSuccess)
    }
}
