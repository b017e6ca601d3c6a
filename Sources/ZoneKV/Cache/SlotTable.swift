/// A hash map from 64-bit key hashes to cache node slots, open addressing with linear probing in
/// one flat array: a lookup usually touches one cache line, where a `Dictionary` would hash
/// with SipHash and touch separate key and value storage.
struct SlotTable {
    private struct Bucket {
        /// The key plus one; 0 marks an empty bucket.
        var storedKey: UInt64
        var slot: Int32
    }

    private var buckets: [Bucket]
    private var mask: Int
    private(set) var count = 0

    init() {
        buckets = Array(repeating: Bucket(storedKey: 0, slot: 0), count: 16)
        mask = 15
    }

    @inline(__always)
    private func home(_ storedKey: UInt64) -> Int {
        Int(truncatingIfNeeded: (storedKey &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot stored for `key`, if any.
    @inline(__always)
    func slot(for key: UInt64) -> Int32? {
        let storedKey = key &+ 1
        var index = home(storedKey)
        while true {
            let bucket = buckets[index]
            if bucket.storedKey == storedKey { return bucket.slot }
            if bucket.storedKey == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// Stores `slot` for `key`, replacing any slot it had.
    mutating func set(_ slot: Int32, for key: UInt64) {
        if (count + 1) * 2 > buckets.count { grow() }
        let storedKey = key &+ 1
        var index = home(storedKey)
        while buckets[index].storedKey != 0 && buckets[index].storedKey != storedKey { index = (index + 1) & mask }
        if buckets[index].storedKey == 0 { count += 1 }
        buckets[index] = Bucket(storedKey: storedKey, slot: slot)
    }

    /// Forgets `key`, moving later entries of its probe run back so lookups stay correct
    /// without tombstones.
    mutating func remove(_ key: UInt64) {
        let storedKey = key &+ 1
        var index = home(storedKey)
        while buckets[index].storedKey != storedKey {
            if buckets[index].storedKey == 0 { return }
            index = (index + 1) & mask
        }
        count -= 1
        var hole = index
        var next = (index + 1) & mask
        while buckets[next].storedKey != 0 {
            let wanted = home(buckets[next].storedKey)
            // Move the entry into the hole if the hole lies on its probe path (wanted..next).
            let distanceToNext = (next - wanted) & mask
            let distanceToHole = (hole - wanted) & mask
            if distanceToHole < distanceToNext {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = Bucket(storedKey: 0, slot: 0)
    }

    private mutating func grow() {
        let old = buckets
        buckets = Array(repeating: Bucket(storedKey: 0, slot: 0), count: old.count * 2)
        mask = buckets.count - 1
        count = 0
        for bucket in old where bucket.storedKey != 0 { set(bucket.slot, for: bucket.storedKey &- 1) }
    }
}
