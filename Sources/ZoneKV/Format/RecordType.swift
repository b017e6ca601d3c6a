/// What a record in an append unit says.
enum RecordType: UInt8, Sendable {
    /// The key now has this value.
    case put = 1
    /// The key has no value any more.
    case delete = 2
    /// Every record of the batch with this record's sequence number is committed.
    case batchCommit = 3
    /// One piece of a value too large for one append unit.
    case valueChunk = 4
    /// Marks a device as a ZoneKV store; written once when the store is created.
    case storeHeader = 5
    /// One piece of a checkpoint of the index (metadata stream).
    case checkpointPiece = 6
    /// Completes a checkpoint: its pieces are all written (metadata stream).
    case checkpointCommit = 7

    /// Records of checkpoints, which recovery reads apart from the log.
    var isCheckpoint: Bool { self == .checkpointPiece || self == .checkpointCommit }
}

/// Flags of a record.
struct RecordFlags: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    /// The value is LZ4-compressed.
    static let compressed = RecordFlags(rawValue: 1 << 0)
    /// The record belongs to a batch and counts only once the batch's commit record is found.
    static let inBatch = RecordFlags(rawValue: 1 << 1)
    /// The value is a descriptor listing the chunks of a large value.
    static let largeValue = RecordFlags(rawValue: 1 << 2)
    /// A copy garbage collection made of a live record, with the original's sequence number.
    /// It counts on its own: a copied batch record was committed (only committed ones are live).
    static let relocated = RecordFlags(rawValue: 1 << 3)
}

/// The write stream a unit belongs to; each stream appends to its own open zone.
enum WriteStream: UInt8, Sendable {
    case user = 0
    case relocation = 1
    case metadata = 2
}
