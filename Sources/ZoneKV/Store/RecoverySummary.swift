/// What recovery found when a store was opened.
public struct RecoverySummary: Hashable, Sendable {
    /// Live keys after recovery.
    public var keys: Int
    /// Intact append units and records read from the log: with a checkpoint, only those written
    /// after its cut.
    public var units: Int
    public var records: Int
    /// Blocks holding no intact unit (torn appends at a crash), skipped.
    public var skippedBlocks: Int
    /// Batches left out because a crash cut them short.
    public var incompleteBatches: Int
    /// Records left on the device by a store formatted over (kept in read-only zones), ignored.
    public var formerStoreRecords: Int
    /// The store was created by this open.
    public var created: Bool
    /// Seconds the open took to rebuild the index.
    public var seconds: Double
    /// The id of the checkpoint the index was loaded from; `nil` when the whole log was read.
    public var checkpointID: UInt64?
    /// Newer checkpoints passed over because a crash tore them (or they are damaged).
    public var skippedCheckpoints: Int
    /// Zones the device reports offline: nothing in them can be read. Keys whose newest record
    /// was there are lost (or show an older version kept elsewhere); where a checkpoint still
    /// points into such a zone, reading that key fails with the device's `zone-offline` error.
    public var offlineZones: [Int] = []
}
