import Foundation
import Testing
@testable import YCSB

/// The generators draw what YCSB's do: the key format, the Zipfian popularity curve (plain
/// and scrambled), the latest and hotspot distributions, and operation mixes.
struct GeneratorTests {
    @Test func keysAreNamedAsYCSBNamesThem() {
        // YCSB's first keys with insertorder=hashed (as seen in its load output and databases).
        #expect(String(decoding: KeyNames.key(0), as: UTF8.self) == "user6284781860667377211")
        #expect(String(decoding: KeyNames.key(7, hashed: false, zeroPadding: 4), as: UTF8.self) == "user0007")
        #expect(String(decoding: KeyNames.key(12_345, hashed: false), as: UTF8.self) == "user12345")
    }

    /// Draw counts of each item over `draws` draws.
    private func histogram(_ draws: Int, _ next: () -> UInt64) -> [UInt64: Int] {
        var counts: [UInt64: Int] = [:]
        for _ in 0..<draws { counts[next(), default: 0] += 1 }
        return counts
    }

    @Test func zipfianPopularityFollowsTheCurve() {
        var generator = ZipfianGenerator(itemCount: 1000, seed: 7)
        let draws = 1_000_000
        let counts = histogram(draws) { generator.next() }
        let zeta = ZipfianGenerator.zeta(from: 0, to: 1000, theta: 0.99, initial: 0)
        #expect(counts.keys.allSatisfy { $0 < 1000 })
        // Items 0 and 1 are drawn with Zipf's probabilities, 1 / ((k + 1)^0.99 * zeta), exactly.
        // Further items follow Gray et al.'s closed-form approximation, as in YCSB: item k
        // takes the draws u whose n * (eta * u - eta + 1)^alpha falls in [k, k + 1).
        let alpha = 1 / (1 - 0.99)
        let eta = (1 - pow(2 / 1000.0, 1 - 0.99)) / (1 - (1 + pow(0.5, 0.99)) / zeta)
        func drawnBelow(_ item: Double) -> Double { (pow(item / 1000, 1 / alpha) + eta - 1) / eta }
        for item: UInt64 in [0, 1, 2, 9, 99] {
            let probability =
                item < 2
                ? 1 / (pow(Double(item + 1), 0.99) * zeta)
                : drawnBelow(Double(item + 1)) - max(drawnBelow(Double(item)), (1 + pow(0.5, 0.99)) / zeta)
            let expected = Double(draws) * probability
            let observed = Double(counts[item, default: 0])
            #expect(abs(observed - expected) / expected < 0.05, "item \(item): \(observed) draws, expected \(expected)")
        }
    }

    @Test func scrambledZipfianScattersThePopularItems() {
        var generator = ScrambledZipfianGenerator(itemCount: 100_000, seed: 11)
        let draws = 1_000_000
        let counts = histogram(draws) { generator.next() }
        let top = counts.max { $0.value < $1.value }!
        // The most popular item is rank 0 of the ten-billion-item Zipfian, hashed: about
        // 1 / zeta(10^10, 0.99) = 3.78% of draws.
        #expect(top.key == KeyNames.fnvHash64(0) % 100_000)
        #expect(abs(Double(top.value) / Double(draws) - 1 / 26.46902820178302) < 0.003)
        // Popular items are not bunched at the start of the key space.
        let popular = counts.sorted { $0.value > $1.value }.prefix(20).map(\.key)
        #expect(popular.filter { $0 < 10_000 }.count < 10)
    }

    @Test func latestFavoursTheNewestRecords() {
        var generator = SkewedLatestGenerator(seed: 3, initialCount: 1000)
        let counts = histogram(200_000) { generator.next(insertedCount: 1000) }
        #expect(counts.keys.allSatisfy { $0 >= 1 && $0 <= 999 }, "YCSB never draws record 0 once there are others")
        let top = counts.sorted { $0.value > $1.value }.prefix(3).map(\.key)
        #expect(top == [999, 998, 997])
        // After more inserts, the newest is still the most popular.
        let later = histogram(100_000) { generator.next(insertedCount: 1500) }
        #expect(later.max { $0.value < $1.value }?.key == 1499)
    }

    @Test func hotspotSendsMostOperationsToTheHotSet() {
        var generator = HotspotGenerator(itemCount: 10_000, hotSetFraction: 0.2, hotOperationFraction: 0.8, seed: 5)
        let draws = 200_000
        let counts = histogram(draws) { generator.next() }
        let hot = counts.filter { $0.key < 2000 }.values.reduce(0, +)
        #expect(abs(Double(hot) / Double(draws) - 0.8) < 0.01)
        #expect(counts.keys.allSatisfy { $0 < 10_000 })
    }

    @Test func operationMixesMatchTheirProportions() {
        var choice = WeightedChoice([("read", 0.5), ("update", 0.5), ("scan", 0.0)], seed: 9)
        var reads = 0
        let draws = 100_000
        for _ in 0..<draws where choice.next() == "read" { reads += 1 }
        #expect(abs(Double(reads) / Double(draws) - 0.5) < 0.01)
        var rare = WeightedChoice([("read", 0.95), ("insert", 0.05)], seed: 10)
        var inserts = 0
        for _ in 0..<draws where rare.next() == "insert" { inserts += 1 }
        #expect(abs(Double(inserts) / Double(draws) - 0.05) < 0.005)
    }
}
