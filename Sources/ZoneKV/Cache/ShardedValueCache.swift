/// The value cache split by key hash into shards, each a `ValueCache` behind its own lock, so
/// that gets served from the cache take neither the engine lock nor each other's.
///
/// Writers change a key's entry while holding the engine lock (always taken before a shard's),
/// in the same step as the index, so a get that finds an entry finds the newest value.
final class ShardedValueCache: Sendable {
    private final class Shard {
        let cache: ValueCache
        /// Gets and device reads of the shard's keys, counted under the shard's lock rather than
        /// on one counter all threads share.
        var gets = 0
        var deviceReads = 0
        init(budget: Int) { cache = ValueCache(budget: budget) }
    }

    /// What the shards hold and have counted, summed.
    struct Totals {
        var storedBytes = 0
        var hits = 0
        var misses = 0
        var gets = 0
        var deviceReads = 0
    }

    /// Bytes of values the cache may hold, over all shards.
    let budget: Int
    private let shards: [Guarded<Shard>]
    private let shardMask: Int

    /// A shard per 4 MiB of budget, up to 16: a small cache stays one shard, so a value may take
    /// as large a share of the budget as one cache would let it.
    init(budget: Int) {
        var count = 1
        while count < 16 && budget / (count * 2) >= 4 << 20 { count *= 2 }
        self.budget = budget
        shards = (0..<count).map { _ in Guarded(Shard(budget: budget / count)) }
        shardMask = count - 1
    }

    @inline(__always)
    private func shard(for key: [UInt8]) -> Guarded<Shard> {
        // The top bits: the shard's own table indexes by the low ones.
        shards[Int(truncatingIfNeeded: key.withUnsafeBytes { KeyHash.of($0) } >> 59) & shardMask]
    }

    /// The cached value of `key`, if any; counts a get when `countingGet`.
    func value(forKey key: [UInt8], countingGet: Bool = false) -> [UInt8]? {
        shard(for: key).withLock { shard in
            if countingGet { shard.gets += 1 }
            return shard.cache.value(forKey: key)
        }
    }

    /// Counts a device read of `key`'s value and says whether the cache admits the value (see
    /// `ValueCache.admits`): most values read once are not, and their read needs nothing more.
    func admitsRead(forKey key: [UInt8]) -> Bool {
        shard(for: key).withLock { shard in
            shard.deviceReads += 1
            return key.withUnsafeBytes { shard.cache.admits($0) }
        }
    }

    /// Caches a value read from the device that `admitsRead` admitted.
    func insertRead(_ value: [UInt8], forKey key: [UInt8]) {
        shard(for: key).withLock { $0.cache.insert(value, forKey: key) }
    }

    /// See `ValueCache.insertWritten`.
    func insertWritten(_ value: [UInt8], forKey key: [UInt8]) {
        shard(for: key).withLock { $0.cache.insertWritten(value, forKey: key) }
    }

    /// Forgets the value of `key` (it was overwritten or deleted).
    func remove(forKey key: [UInt8]) {
        shard(for: key).withLock { $0.cache.remove(forKey: key) }
    }

    var totals: Totals {
        shards.reduce(into: Totals()) { totals, guarded in
            guarded.withLock { shard in
                totals.storedBytes += shard.cache.storedBytes
                totals.hits += shard.cache.hits
                totals.misses += shard.cache.misses
                totals.gets += shard.gets
                totals.deviceReads += shard.deviceReads
            }
        }
    }
}
