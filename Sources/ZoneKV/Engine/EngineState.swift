/// What readers and the write leader share: the index, the value cache and the counters behind
/// the statistics. The store guards it with one lock (`Guarded`), held only for memory work.
final class EngineState {
    let index = OrderedIndex()
    let cache: ValueCache
    var counters = EngineCounters()

    init(cacheBytes: Int) {
        cache = ValueCache(budget: cacheBytes)
    }

    /// Points `key` at a newly written value; `value` is cached when given, and any older
    /// cached value is dropped otherwise.
    func applyPut(_ key: [UInt8], at location: RecordLocation, sequence: UInt64, value: [UInt8]?) {
        index.update(key, to: location, sequence: sequence)
        if let value { cache.insert(value, forKey: key) } else { cache.remove(forKey: key) }
    }

    /// Removes `key`.
    func applyDelete(_ key: [UInt8]) {
        if index.remove(key) != nil { cache.remove(forKey: key) }
    }

    /// Applies a retired record that is not part of a batch (or whose batch committed).
    func apply(_ record: RetiredRecord, caching: Bool) {
        switch record.type {
        case .put:
            let cacheable = caching && record.location.flags & RecordLocation.largeValueFlag == 0
            applyPut(record.key, at: record.location, sequence: record.sequence, value: cacheable ? record.value : nil)
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

extension RecordLocation {
    static let compressedFlag: UInt8 = 1 << 0
    static let largeValueFlag: UInt8 = 1 << 1

    var isCompressed: Bool { flags & Self.compressedFlag != 0 }
    var isLargeValue: Bool { flags & Self.largeValueFlag != 0 }

    init(zone: Int, offset: UInt64, storedLength: Int, recordFlags: RecordFlags) {
        var flags: UInt8 = 0
        if recordFlags.contains(.compressed) { flags |= Self.compressedFlag }
        if recordFlags.contains(.largeValue) { flags |= Self.largeValueFlag }
        self.init(zone: zone, offset: offset, storedLength: storedLength, flags: flags)
    }
}
