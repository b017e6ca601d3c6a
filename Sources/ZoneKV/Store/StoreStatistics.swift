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

    /// Zones of the device: free (empty), holding data and closed for appends, and all.
    public var freeZones: Int
    public var sealedZones: Int
    public var zones: Int
}
