/// The store's state at one instant, as a checkpoint records it. The write leader takes it
/// when every unit sequenced before the cut has retired and none after it has started, so the
/// index reflects exactly the units before `replayFromUnit`.
///
/// Taking it copies no entries: the index's chunk arrays are copy-on-write, so a chunk changed
/// afterwards is copied then, and the checkpoint writer reads the cut's entries (and their keys,
/// which the key arena keeps) while writes go on.
struct CheckpointCut {
    /// The sequence number of the cut's operation: the checkpoint's id.
    var id: UInt64
    var replayFromUnit: UInt64
    /// Nanoseconds since 1970.
    var time: UInt64
    /// Blocks written in each zone, where replay starts (0 for a zone whose appends may have
    /// landed below the count: replay reads it whole).
    var writtenBlocks: [UInt64]
    var zoneUsage: ZoneUsage
    var failedBatches: Set<UInt64>
    /// The index's entries, chunk by chunk, in key order.
    var chunks: [ContiguousArray<IndexEntry>]
}
