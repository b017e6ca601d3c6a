import Testing
@testable import ZoneKV

/// A key for test entry `number`.
private func key<Number: BinaryInteger>(_ number: Number) -> [UInt8] { Array("key-\(number)".utf8) }

@Suite
struct ValueCacheTests {
    @Test("hits return the cached value; misses and removals return nothing")
    func hitsAndMisses() {
        let cache = ValueCache(budget: 1 << 20)
        #expect(cache.value(forKey: key(1)) == nil)
        cache.insert([1, 2, 3], forKey: key(1))
        cache.insert([4], forKey: key(2))
        #expect(cache.value(forKey: key(1)) == [1, 2, 3])
        #expect(cache.value(forKey: key(2)) == [4])
        cache.insert([5, 6], forKey: key(2))
        #expect(cache.value(forKey: key(2)) == [5, 6])
        #expect(cache.storedBytes == 5)
        cache.remove(forKey: key(1))
        #expect(cache.value(forKey: key(1)) == nil)
        #expect(cache.storedBytes == 2)
        #expect(cache.hits == 3)
        #expect(cache.misses == 2)
    }

    @Test("a written value replaces a cached one, and is admitted only while the cache has room")
    func insertWritten() {
        let cache = ValueCache(budget: 1_000)
        cache.insertWritten([UInt8](repeating: 1, count: 100), forKey: key(1))
        #expect(cache.value(forKey: key(1))?.count == 100, "an empty cache takes written values")
        for number in 2...10 { cache.insertWritten([UInt8](repeating: 2, count: 100), forKey: key(number)) }
        #expect(cache.storedBytes == 1_000)
        cache.insertWritten([3], forKey: key(11))
        #expect(cache.value(forKey: key(11)) == nil, "a full cache does not evict for a write")
        #expect(cache.count == 10)
        cache.insertWritten([4, 5], forKey: key(1))
        #expect(cache.value(forKey: key(1)) == [4, 5], "a cached key gets its new value")
        cache.insertWritten([UInt8](repeating: 9, count: 500), forKey: key(1))
        #expect(cache.value(forKey: key(1)) == nil, "a value too big to cache drops the old one")
    }

    @Test("the cache stays within its budget")
    func budget() {
        let cache = ValueCache(budget: 10_000)
        for location in 0..<1_000 {
            cache.insert([UInt8](repeating: UInt8(location % 256), count: 100), forKey: key(UInt64(location)))
            #expect(cache.storedBytes <= 10_000)
        }
        #expect(cache.count == 100)
        // The newest survive a scan of one-time reads; values too big for the budget are not kept.
        #expect(cache.value(forKey: key(999)) != nil)
        cache.insert([UInt8](repeating: 0, count: 5_000), forKey: key(5_000))
        #expect(cache.value(forKey: key(5_000)) == nil)
        cache.insert([UInt8](repeating: 0, count: 5_000), forKey: key(999))
        #expect(cache.value(forKey: key(999)) == nil, "a value too big to cache replaces, not keeps, the old one")
    }

    @Test("a hot set that is read again survives a stream of one-hit wonders (SIEVE)")
    func hotSetSurvivesScan() {
        let cache = ValueCache(budget: 100 * 64)
        let hot = (0..<20).map { UInt64($0) }
        for location in hot { cache.insert([UInt8](repeating: 1, count: 64), forKey: key(location)) }
        var scan: UInt64 = 1_000
        for _ in 0..<50 {
            for location in hot { #expect(cache.value(forKey: key(location)) != nil, "hot entry \(location) was evicted") }
            for _ in 0..<40 {
                cache.insert([UInt8](repeating: 2, count: 64), forKey: key(scan))
                scan += 1
            }
        }
        #expect(cache.count <= 100)
    }

    @Test("a zero budget caches nothing")
    func zeroBudget() {
        let cache = ValueCache(budget: 0)
        cache.insert([1], forKey: key(1))
        #expect(cache.value(forKey: key(1)) == nil)
        #expect(cache.count == 0)
    }

    @Test("the doorkeeper admits a value read from the device on its second miss, not its first")
    func doorkeeper() {
        let cache = ValueCache(budget: 1 << 20)
        func admits(_ cache: ValueCache, _ number: Int) -> Bool { key(number).withUnsafeBytes { cache.admits($0) } }
        #expect(!admits(cache, 42))
        #expect(admits(cache, 42))
        // Most other keys are still unseen.
        let admittedAtOnce = (1000..<2000).filter { admits(cache, $0) }.count
        #expect(admittedAtOnce < 50)
        #expect(!admits(ValueCache(budget: 0), 1))
    }
}

extension ValueCacheTests {
    @Test("thousands of keys each get their own value back, never another key's")
    func collidingKeysNeverMixUp() {
        let cache = ValueCache(budget: 1 << 20)
        // Many keys share probe runs in the flat table; a key whose hash matches another key's entry must miss.
        for number in 0..<5_000 { cache.insert([UInt8](key(number)), forKey: key(number)) }
        for number in 0..<5_000 {
            if let value = cache.value(forKey: key(number)) { #expect(value == key(number)) }
        }
        #expect(cache.count == 5_000)
    }
}
