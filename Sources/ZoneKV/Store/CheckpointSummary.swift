/// What one checkpoint wrote.
public struct CheckpointSummary: Hashable, Sendable {
    /// The checkpoint's id: the sequence number of its cut (newer checkpoints have higher ids).
    public var id: UInt64
    /// Index entries it holds.
    public var keys: Int
    /// Pieces written, and their bytes as stored (compressed where that was smaller).
    public var pieces: Int
    public var bytes: Int
    /// Seconds from the cut until the checkpoint was durable.
    public var seconds: Double
}
