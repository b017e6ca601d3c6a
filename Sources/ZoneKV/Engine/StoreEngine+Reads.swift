import Foundation

extension StoreEngine {
    /// The value of `key`, or `nil` if the store does not hold the key.
    ///
    /// A cached value costs no I/O and takes only its cache shard's lock; otherwise one look at
    /// the index and one device read (a large value: its chunks, read in parallel).
    func get(_ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        try checkKey(key)
        var isFirstLook = true
        while true {
            // The cache shard's lock is taken on its own here: a writer changes a key's cache
            // entry in the same engine-locked step as its index entry, so a hit is the newest value.
            if let value = cache.value(forKey: key, countingGet: isFirstLook) { return value }
            isFirstLook = false
            let found = engine.withLock { state in
                state.index.entry(for: key).map { (entry: $0, indexChanges: state.index.changes) }
            }
            guard let (entry, indexChanges) = found else { return nil }
            if let value = try readValue(of: key, at: entry, indexChanges: indexChanges) { return value }
        }
    }

    /// Reads the value `entry` locates, or returns `nil` if garbage collection moved the
    /// record while it was read (its zone may be reset and written again): look again.
    /// `indexChanges`: the index's change count when `entry` was looked up.
    func readValue(of key: [UInt8], at entry: IndexEntry, indexChanges: UInt64) throws(StoreError) -> [UInt8]? {
        let location = entry.location
        let request = RecordRequest(location: location, key: key, type: .put, sequence: entry.sequence)
        let value: [UInt8]
        do throws(StoreError) {
            value = try reads.withQueue { queue throws(StoreError) in
                location.isLargeValue ? try reader.readLargeValue(request, on: queue) : try reader.read(request, on: queue)
            }
        } catch {
            if !indexStillPoints(key, at: location) { return nil }
            throw error
        }
        if location.isLargeValue {
            engine.withLock { $0.counters.deviceReads += 1 }
        } else if cache.admitsRead(forKey: key) {
            // Cached only if no newer write to the key took effect while it was read (if the
            // index did not change at all, there is no need to look). The engine lock keeps
            // writers out until the value is in the cache.
            engine.withLock { state in
                let isCurrent =
                    state.index.changes == indexChanges
                    || state.index.entry(for: key).map { $0.location == location && $0.sequence == entry.sequence } == true
                if isCurrent { state.cache.insertRead(value, forKey: key) }
            }
        }
        return value
    }

    /// Whether the index still points `key` at `location`. A read that failed where it no
    /// longer does raced a write or a collection (which may have reset the zone under it),
    /// and is no sign of damage.
    func indexStillPoints(_ key: [UInt8], at location: RecordLocation) -> Bool {
        engine.withLock { $0.index.entry(for: key)?.location == location }
    }

    /// Whether the store holds `key` (the index alone answers: no I/O).
    func contains(_ key: [UInt8]) throws(StoreError) -> Bool {
        try checkKey(key)
        return engine.withLock { $0.index.entry(for: key) != nil }
    }

    /// Keys from `start` (inclusive; the first key if `nil`) up to `end` (exclusive; no end if
    /// `nil`) in byte order, with their values, at most `limit` of them. Values not in the
    /// cache are read with many reads in flight at once.
    func scan(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int? = nil) throws(StoreError) -> [KeyValuePair] {
        if let limit, limit < 0 { throw StoreError(.invalidOption, "a scan limit cannot be negative (\(limit))") }
        let wanted = limit ?? Int.max
        engine.withLock { $0.counters.scans += 1 }
        var attempts = 0
        while true {
            attempts += 1
            var pairs: [KeyValuePair] = []
            var missing: [(position: Int, entry: IndexEntry)] = []
            let indexChanges = engine.withLock { state in
                if wanted > 0 {
                    state.index.forEach(from: start, upTo: end) { key, entry in
                        let key = [UInt8](key)
                        let cached = state.cache.value(forKey: key)
                        if cached == nil { missing.append((pairs.count, entry)) }
                        pairs.append(KeyValuePair(key: key, value: cached ?? []))
                        return pairs.count < wanted
                    }
                }
                return state.index.changes
            }
            do throws(StoreError) {
                try fill(&pairs, missing: missing)
                return pairs
            } catch {
                // Garbage collection may have moved a record (and reset its zone) meanwhile:
                // scan again if anything changed; otherwise the failure stands.
                if attempts == 16 || engine.withLock({ $0.index.changes }) == indexChanges { throw error }
            }
        }
    }

    /// Keys that start with `prefix`, in byte order, with their values, at most `limit` of them.
    func scan(prefix: [UInt8], limit: Int? = nil) throws(StoreError) -> [KeyValuePair] {
        try scan(from: prefix, to: StoreEngine.firstKey(after: prefix), limit: limit)
    }

    /// The smallest key greater than every key starting with `prefix`, or `nil` if there is none.
    static func firstKey(after prefix: [UInt8]) -> [UInt8]? {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return nil
    }

    /// Reads the values of scanned keys that were not cached.
    private func fill(_ pairs: inout [KeyValuePair], missing: [(position: Int, entry: IndexEntry)]) throws(StoreError) {
        guard !missing.isEmpty else { return }
        let inline = missing.filter { !$0.entry.location.isLargeValue }
        let large = missing.filter { $0.entry.location.isLargeValue }
        try reads.withQueue { queue throws(StoreError) in
            try reader.readMany(
                inline.count,
                request: { index in
                    let (position, entry) = inline[index]
                    return RecordRequest(location: entry.location, key: pairs[position].key, type: .put, sequence: entry.sequence)
                },
                on: queue,
                deliver: { index, stored throws(StoreError) in
                    let (position, entry) = inline[index]
                    pairs[position].value = try reader.decode(stored, compressed: entry.location.isCompressed, at: entry.location)
                })
            for (position, entry) in large {
                let request = RecordRequest(location: entry.location, key: pairs[position].key, type: .put, sequence: entry.sequence)
                pairs[position].value = try reader.readLargeValue(request, on: queue)
            }
        }
        engine.withLock { $0.counters.deviceReads += missing.count }
    }

    /// Counters and sizes of the store now.
    var statistics: StoreStatistics {
        engine.withLock { state in
            let counters = state.counters
            let cache = state.cache.totals
            return StoreStatistics(
                keys: state.index.count, keyBytes: state.index.keyBytes, indexBytes: state.index.memoryBytes,
                cacheBytes: cache.storedBytes, cacheBudget: state.cache.budget, cacheHits: cache.hits,
                cacheMisses: cache.misses, puts: counters.puts, deletes: counters.deletes, batches: counters.batches,
                gets: cache.gets, scans: counters.scans, deviceReads: counters.deviceReads + cache.deviceReads, appends: counters.appends,
                appendedBytes: counters.appendedBytes, appendedRecords: counters.appendedRecords, flushes: counters.flushes,
                valueBytes: counters.valueBytes, storedValueBytes: counters.storedValueBytes, freeZones: counters.freeZones,
                sealedZones: counters.sealedZones, unusableZones: counters.unusableZones, zones: device.geometry.zoneCount,
                zoneCapacityBytes: Int(device.geometry.zoneCapacity) * device.geometry.blockSize, userBytes: counters.userBytes,
                liveBytes: state.zoneUsage.totalLiveBytes, collections: counters.collections,
                relocatedBytes: counters.relocatedBytes, zoneResets: counters.zoneResets, checkpoints: counters.checkpoints,
                checkpointBytes: counters.checkpointBytes,
                checkpointAge: state.checkpoints.newest.map { max(0, Date().timeIntervalSince1970 - Double($0.cutTime) / 1e9) })
        }
    }
}
