import Dispatch
import Synchronization
import Testing
@testable import ZoneKV

private func key(_ number: Int) -> [UInt8] { Array("user\(number)".utf8) }

@Suite
struct ShardedValueCacheTests {
    @Test("a value read from the device is admitted on its second read")
    func readValuesAreAdmittedOnTheSecondRead() {
        let cache = ShardedValueCache(budget: 64 << 20)
        #expect(!cache.admitsRead(forKey: key(1)), "the first read only marks the key")
        #expect(cache.admitsRead(forKey: key(1)))
        cache.insertRead([1], forKey: key(1))
        #expect(cache.value(forKey: key(1)) == [1])
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
            _ = cache.admitsRead(forKey: key(number))
            if cache.admitsRead(forKey: key(number)) { cache.insertRead([UInt8](repeating: 7, count: 1_000), forKey: key(number)) }
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

    @Test("threads hitting while one thread replaces values never see a key's value go back")
    func concurrentHitsAndWrites() {
        let cache = ShardedValueCache(budget: 16 << 20)
        for number in 0..<64 { cache.insertWritten([0, 0], forKey: key(number)) }
        let backwards = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var newest = [Int](repeating: 0, count: 64)
            for round in 0..<20_000 {
                let number = (round &* 7 &+ thread) % 64
                if thread == 0 {
                    // Each key's versions rise: round / 64 + 1, big-endian in two bytes.
                    let version = round / 64 + 1
                    cache.insertWritten([UInt8(version >> 8), UInt8(version & 0xFF)], forKey: key(number))
                } else if let value = cache.value(forKey: key(number), countingGet: true) {
                    let version = Int(value[0]) << 8 | Int(value[1])
                    if version < newest[number] { backwards.withLock { $0 += 1 } }
                    newest[number] = max(newest[number], version)
                }
            }
        }
        #expect(backwards.withLock { $0 } == 0)
        #expect(cache.totals.gets == 60_000)
    }
}
