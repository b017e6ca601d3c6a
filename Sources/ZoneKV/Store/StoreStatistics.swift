/// A snapshot of what a store holds and has done since it was opened.
public struct StoreStatistics: Hashable, Sendable {
    /// Live keys.
    public var keys: Int
    /// Bytes of the live keys themselves.
    public var keyBytes: Int
    /// Bytes the in-memory index takes, keys included.
    public var indexBytes: Int
    /// Index bytes per key beyond the key's own bytes.
    public var indexBytesPerKey: Double { keys == 0 ? 0 : Double(indexBytes - keyBytes) / Double(keys) }

    /// Bytes of values in the cache, and its budget.
    public var cacheBytes: Int
    public var cacheBudget: Int
    public var cacheHits: Int
    public var cacheMisses: Int

    public var puts: Int
    public var deletes: Int
    public var batches: Int
    public var gets: Int
    public var scans: Int
    /// Device reads made for gets and scans.
    public var deviceReads: Int

    /// Zone Appends completed, the bytes they wrote (whole blocks) and the records they held.
    public var appends: Int
    public var appendedBytes: Int
    public var appendedRecords: Int
    /// Records per append: how much group commit packed together.
    public var recordsPerAppend: Double { appends == 0 ? 0 : Double(appendedRecords) / Double(appends) }
    public var flushes: Int

    /// Value bytes of puts as given and as stored; their ratio is the compression ratio.
    public var valueBytes: Int
    public var storedValueBytes: Int
    /// Value bytes given per byte stored (1 without compression; large values excluded).
    public var compressionRatio: Double { storedValueBytes == 0 ? 1 : Double(valueBytes) / Double(storedValueBytes) }

    /// Zones of the device: free (empty), holding data and closed for appends, taking appends
    /// (or about to be finished), read-only or offline, and all.
    public var freeZones: Int
    public var sealedZones: Int
    public var openZones: Int { zones - freeZones - sealedZones - unusableZones }
    public var unusableZones: Int
    public var zones: Int
    /// Bytes a zone can hold.
    public var zoneCapacityBytes: Int

    /// Key and value bytes written by users since the store was opened.
    public var userBytes: Int
    /// Device bytes written per user byte: appended bytes (records, unit headers, padding,
    /// copies made by garbage collection) over user bytes.
    public var writeAmplification: Double { userBytes == 0 ? 0 : Double(appendedBytes) / Double(userBytes) }
    /// Bytes of the records the index points at (for a large value, its descriptor).
    public var liveBytes: Int
    /// Device space taken per live byte: zones not free (counted whole) over live bytes.
    public var spaceAmplification: Double {
        liveBytes == 0 ? 0 : Double((zones - freeZones - unusableZones) * zoneCapacityBytes) / Double(liveBytes)
    }
    /// Garbage collection since the store was opened: zones collected, bytes copied (whole
    /// blocks), zones reset.
    public var collections: Int
    public var relocatedBytes: Int
    public var zoneResets: Int
    /// Checkpoints written since the store was opened, and their bytes (whole blocks).
    public var checkpoints: Int
    public var checkpointBytes: Int
    /// Seconds since the cut of the newest durable checkpoint (`nil` when there is none):
    /// roughly what an open after a crash would have to replay.
    public var checkpointAge: Double?
}
