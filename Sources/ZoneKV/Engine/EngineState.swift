/// What readers and the write leader share: the index, the value cache and the counters behind
/// the statistics. The store guards it with one lock (`Guarded`), held only for memory work.
final class EngineState {
    let index = OrderedIndex()
    let cache: ValueCache
    var counters = EngineCounters()

    init(cacheBytes: Int) {
        cache = ValueCache(budget: cacheBytes)
    }

    /// Points `key` at a newly written value. `value`, when given, replaces a cached older
    /// value or is cached while the cache has room; without it, any older value is dropped.
    func applyPut(_ key: [UInt8], at location: RecordLocation, sequence: UInt64, value: [UInt8]?) {
        index.update(key, to: location, sequence: sequence)
        if let value { cache.insertWritten(value, forKey: key) } else { cache.remove(forKey: key) }
    }

    /// Removes `key`.
    func applyDelete(_ key: [UInt8]) {
        if index.remove(key) != nil { cache.remove(forKey: key) }
    }

    /// Applies a retired record that is not part of a batch (or whose batch committed). Large
    /// values are not cached.
    func apply(_ record: RetiredRecord) {
        switch record.type {
        case .put:
            applyPut(record.key, at: record.location, sequence: record.sequence, value: record.location.isLargeValue ? nil : record.value)
        case .delete:
            applyDelete(record.key)
        case .batchCommit, .valueChunk, .storeHeader:
            break
        }
    }
}

/// Running totals behind ``StoreStatistics``.
struct EngineCounters {
    var puts = 0
    var deletes = 0
    var batches = 0
    var gets = 0
    var scans = 0
    var appends = 0
    var appendedBytes = 0
    var appendedRecords = 0
    var flushes = 0
    /// Value bytes of puts as given, and as stored (compressed where that was smaller).
    var valueBytes = 0
    var storedValueBytes = 0
    var deviceReads = 0
    /// Zones free and sealed, as the write leader last saw them.
    var freeZones = 0
    var sealedZones = 0
}
