import Foundation
import Testing
@testable import ZoneKV

@Suite
struct OrderedIndexTests {
    private func location(_ seed: Int) -> RecordLocation {
        RecordLocation(zone: seed % 5000, offset: UInt64(seed) * 4096 % (1 << 40), storedLength: seed % 100_000, flags: UInt8(seed % 4))
    }

    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func key() -> [UInt8] {
            let length = next(24)
            return (0..<length).map { _ in UInt8(next(6) + 97) }  // a small alphabet: many shared prefixes
        }
    }

    @Test("entries pack and unpack every field")
    func entryPacking() {
        let place = RecordLocation(zone: IndexEntry.maxZone, offset: IndexEntry.maxZoneOffset, storedLength: IndexEntry.maxStoredLength, flags: 3)
        let entry = IndexEntry(key: KeyReference(page: (1 << 24) - 1, offset: (1 << 20) - 1), location: place, sequence: .max)
        #expect(entry.location == place)
        #expect(entry.key == KeyReference(page: (1 << 24) - 1, offset: (1 << 20) - 1))
        #expect(entry.sequence == IndexEntry.sequenceMask)
        #expect(MemoryLayout<IndexEntry>.stride == 24)
    }

    @Test("random updates, removals and scans match a dictionary")
    func matchesModel() {
        let index = OrderedIndex()
        var model: [[UInt8]: (RecordLocation, UInt64)] = [:]
        var generator = Generator(state: 7)
        for step in 0..<60_000 {
            let key = generator.key()
            switch generator.next(10) {
            case 0..<6:
                let place = location(step)
                let previous = index.update(key, to: place, sequence: UInt64(step))
                #expect((previous?.location) == model[key]?.0)
                model[key] = (place, UInt64(step))
            case 6..<9:
                let removed = index.remove(key)
                #expect(removed?.location == model.removeValue(forKey: key)?.0)
            default:
                #expect(index.entry(for: key)?.location == model[key]?.0)
                #expect(index.entry(for: key)?.sequence == model[key]?.1)
            }
            if step % 10_000 == 9_999 {
                #expect(index.count == model.count)
                var scanned: [[UInt8]] = []
                index.forEach { key, entry in
                    scanned.append(Array(key))
                    #expect(model[Array(key)]?.0 == entry.location)
                    return true
                }
                #expect(scanned == model.keys.sorted { $0.lexicographicallyPrecedes($1) })
            }
        }
    }

    @Test("ranges start, stop and limit where asked")
    func ranges() {
        let index = OrderedIndex()
        for number in 0..<2_000 { index.update(Array(String(format4(number)).utf8), to: location(number), sequence: 1) }
        var seen: [String] = []
        index.forEach(from: Array("0100".utf8), upTo: Array("0105".utf8)) { key, _ in
            seen.append(String(decoding: key, as: UTF8.self))
            return true
        }
        #expect(seen == ["0100", "0101", "0102", "0103", "0104"])
        seen = []
        index.forEach(from: Array("0999x".utf8)) { key, _ in
            seen.append(String(decoding: key, as: UTF8.self))
            return seen.count < 3
        }
        #expect(seen == ["1000", "1001", "1002"])
        #expect(index.relocate(Array("0100".utf8), from: location(100), to: location(7)))
        #expect(!index.relocate(Array("0100".utf8), from: location(100), to: location(8)), "a stale relocation loses")
        #expect(index.entry(for: Array("0100".utf8))?.location == location(7))
    }

    /// One million keys by default; `ZONEKV_INDEX_TEST_KEYS=10000000` runs the ten-million check.
    @Test("a million keys (or ZONEKV_INDEX_TEST_KEYS) cost at most 40 bytes each plus the key bytes", arguments: ["sequential", "random"])
    func memoryPerKey(_ order: String) {
        let index = OrderedIndex()
        let total = ProcessInfo.processInfo.environment["ZONEKV_INDEX_TEST_KEYS"].flatMap { Int($0) } ?? 1_000_000
        var generator = Generator(state: 99)
        var keyBytes = 0
        var worst = (overhead: 0.0, keys: 0)
        for number in 0..<total {
            let value = order == "sequential" ? number : generator.next(Int.max)
            var key = [UInt8](repeating: 0, count: 16)
            for byte in 0..<8 { key[byte] = UInt8(truncatingIfNeeded: value >> ((7 - byte) * 8)) }
            for byte in 8..<16 { key[byte] = UInt8(truncatingIfNeeded: number >> ((15 - byte) * 8)) }
            index.update(key, to: location(number), sequence: UInt64(number))
            keyBytes += key.count
            // Chunks fill and split in waves: check along the way, not only at the end.
            if number >= 100_000, number % (total / 64) == 0 {
                let overhead = Double(index.memoryBytes - keyBytes) / Double(number + 1)
                if overhead > worst.overhead { worst = (overhead, number + 1) }
            }
        }
        #expect(index.count == total)
        let overhead = Double(index.memoryBytes - keyBytes) / Double(total)
        print("index, \(order) \(total) keys: \(index.memoryBytes) bytes, \(overhead) bytes per key beyond key bytes; worst on the way \(worst.overhead) at \(worst.keys) keys")
        #expect(overhead <= 40)
        #expect(worst.overhead <= 40, "at \(worst.keys) keys the index took \(worst.overhead) bytes per key")
    }
}

private func format4(_ number: Int) -> String {
    let digits = String(number)
    return String(repeating: "0", count: 4 - digits.count) + digits
}
