/// What readers and the write leader share: the index, the value cache and the counters behind
/// the statistics. The store guards it with one lock (`Guarded`), held only for memory work.
/// The cache has its own locks as well: gets it serves take only those.
final class EngineState {
    let index = OrderedIndex()
    let cache: ShardedValueCache
    var counters = EngineCounters()
    var zoneUsage: ZoneUsage
    /// Sequence numbers of batches that failed or were found incomplete: their records on the
    /// device are garbage, never to be copied by collection.
    var failedBatches: Set<UInt64> = []
    var checkpoints = CheckpointHistory()
    /// What the allocator does with each zone, as the write leader last published it.
    var zoneUses: [ZoneAllocator.Use] = []

    init(cacheBytes: Int, zoneCount: Int) {
        cache = ShardedValueCache(budget: cacheBytes)
        zoneUsage = ZoneUsage(zoneCount: zoneCount)
    }

    /// Points `key` at a newly written value. `value`, when given, replaces a cached older
    /// value or is cached while the cache has room; without it, any older value is dropped. For
    /// a large value, `value` is its descriptor, which is not cached.
    func applyPut(_ key: [UInt8], at location: RecordLocation, sequence: UInt64, value: [UInt8]?) {
        if let previous = index.update(key, to: location, sequence: sequence) {
            zoneUsage.removeLive(previous.location, keyCount: key.count)
        }
        zoneUsage.addLive(location, keyCount: key.count, descriptor: value)
        if let value, !location.isLargeValue { cache.insertWritten(value, forKey: key) } else { cache.remove(forKey: key) }
    }

    /// Removes `key`.
    func applyDelete(_ key: [UInt8]) {
        guard let removed = index.remove(key) else { return }
        zoneUsage.removeLive(removed.location, keyCount: key.count)
        cache.remove(forKey: key)
    }

    /// Moves `key` to a copy collection made of its record, if the index still points at the
    /// original (a newer write wins). The value is unchanged, so the cache stays as it is.
    /// `copiedValue` is the copy's stored value (for a large value, the new descriptor).
    func applyRelocation(_ key: [UInt8], from original: RecordLocation, to copy: RecordLocation, copiedValue: [UInt8]) {
        guard index.relocate(key, from: original, to: copy) else { return }
        zoneUsage.removeLive(original, keyCount: key.count)
        zoneUsage.addLive(copy, keyCount: key.count, descriptor: copiedValue)
    }

    /// Applies a retired record that is not part of a batch (or whose batch committed).
    func apply(_ record: RetiredRecord) {
        switch record.type {
        case .put:
            applyPut(record.key, at: record.location, sequence: record.sequence, value: record.value)
        case .delete:
            applyDelete(record.key)
        case .batchCommit, .valueChunk, .storeHeader, .checkpointPiece, .checkpointCommit:
            break
        }
    }
}

/// Running totals behind ``StoreStatistics``.
struct EngineCounters {
    var puts = 0
    var deletes = 0
    var batches = 0
    var scans = 0
    var appends = 0
    var appendedBytes = 0
    var appendedRecords = 0
    var flushes = 0
    /// Value bytes of puts as given, and as stored (compressed where that was smaller).
    var valueBytes = 0
    var storedValueBytes = 0
    /// Device reads other than a get's (large values, scans); a get's are counted in the cache.
    var deviceReads = 0
    /// Key and value bytes users wrote (what write amplification is measured against).
    var userBytes = 0
    /// Bytes collection copied, and the zones it reset.
    var relocatedBytes = 0
    var zoneResets = 0
    var collections = 0
    /// Checkpoints written since the store opened, and their bytes (whole blocks).
    var checkpoints = 0
    var checkpointBytes = 0
    /// Zones free and sealed, as the write leader last saw them.
    var freeZones = 0
    var sealedZones = 0
    var unusableZones = 0
}
