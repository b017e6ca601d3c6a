import Dispatch
import Testing
@testable import ZoneKV

private func key(_ number: Int) -> [UInt8] { Array("user\(number)".utf8) }

@Suite
struct ShardedValueCacheTests {
    @Test("a value read from the device is cached on its second miss, and only while it is current")
    func readValuesAreAdmittedOnlyWhenCurrent() {
        let cache = ShardedValueCache(budget: 64 << 20)
        cache.insertRead([1], forKey: key(1), isCurrent: true)
        #expect(cache.value(forKey: key(1)) == nil, "the first miss only marks the key")
        cache.insertRead([1], forKey: key(1), isCurrent: true)
        #expect(cache.value(forKey: key(1)) == [1])
        cache.insertRead([2], forKey: key(2), isCurrent: false)
        cache.insertRead([2], forKey: key(2), isCurrent: false)
        #expect(cache.value(forKey: key(2)) == nil, "a value overwritten while it was read is never cached")
        cache.insertWritten([3], forKey: key(1))
        #expect(cache.value(forKey: key(1)) == [3])
        cache.remove(forKey: key(1))
        #expect(cache.value(forKey: key(1)) == nil)
    }

    @Test("gets and device reads are counted over every shard; a budget holds values over all shards")
    func countsAndBudgetSpanShards() {
        let cache = ShardedValueCache(budget: 64 << 20)
        for number in 0..<1_000 {
            _ = cache.value(forKey: key(number), countingGet: true)
            cache.insertRead([UInt8](repeating: 7, count: 1_000), forKey: key(number), isCurrent: true)
            cache.insertRead([UInt8](repeating: 7, count: 1_000), forKey: key(number), isCurrent: true)
        }
        let totals = cache.totals
        #expect(totals.gets == 1_000)
        #expect(totals.deviceReads == 2_000)
        #expect(totals.storedBytes == 1_000_000)
        #expect((0..<1_000).allSatisfy { cache.value(forKey: key($0)) != nil })
        // A small budget stays one shard, so a value may take the share of it one cache allows.
        let small = ShardedValueCache(budget: 64 << 10)
        small.insertWritten([UInt8](repeating: 1, count: 8 << 10), forKey: key(1))
        #expect(small.value(forKey: key(1))?.count == 8 << 10)
    }

    @Test("threads hitting and replacing values at once always see a value some writer set")
    func concurrentHitsAndWrites() {
        let cache = ShardedValueCache(budget: 16 << 20)
        for number in 0..<64 { cache.insertWritten([0, UInt8(number)], forKey: key(number)) }
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for round in 0..<20_000 {
                let number = (round &* 7 &+ thread) % 64
                if thread == 0 {
                    cache.insertWritten([UInt8(round % 251), UInt8(number)], forKey: key(number))
                } else if let value = cache.value(forKey: key(number), countingGet: true) {
                    #expect(value.count == 2 && value[1] == UInt8(number))
                }
            }
        }
        #expect(cache.totals.gets == 60_000)
    }
}
