/// The layout of a checkpoint: the index and the state recovery needs, written to the metadata
/// stream as piece records (one per append unit) and then one commit record. FORMAT.md
/// documents it for people.
///
/// A checkpoint is named by its **id**: the sequence number of the operation that took its cut,
/// which every piece and the commit carry as their sequence number. A piece's key is its index
/// (u32); its value is a run of items, LZ4-compressed when that is smaller (record flag bit 0,
/// stored as u32 original length, then the LZ4 block). Every piece stands alone: no item spans
/// two pieces, and key prefix compression starts over in each.
///
/// ```
/// item                      fields (varints are LEB128)
/// 1 zone                    zone, blocks written at the cut (replay starts there), lowest put
///                           sequence + 1 (0: none), newest unit sequence
/// 2 failed batch            sequence
/// 3 index entry             shared prefix with the previous key, suffix length, suffix, zone,
///                           offset, stored length, location flags u8, sequence; for a large
///                           value (flag bit 1) then its chunk count and each chunk's zone,
///                           offset and length
/// ```
///
/// ```
/// commit value
///  0 u32 piece count
///  4 u32 CRC32C of every piece's items, in piece order
///  8 u64 bytes of items (uncompressed)
/// 16 u64 index entries
/// 24 u64 unit sequence at the cut: units from this one on are replayed
/// 32 u64 time of the cut, nanoseconds since 1970
/// 40 the store header value (StoreIdentity)
/// ```
enum CheckpointFormat {
    enum Item: UInt8 {
        case zone = 1
        case failedBatch = 2
        case entry = 3
    }

    /// Bytes of a piece record's key (the piece index).
    static let pieceKeyBytes = 4
    static let commitFixedBytes = 40
}

/// What a checkpoint's commit record says.
struct CheckpointCommit: Hashable, Sendable {
    /// The checkpoint's id (the sequence number of its cut).
    var id: UInt64
    var pieceCount: Int
    var itemsChecksum: UInt32
    var itemBytes: UInt64
    var entryCount: UInt64
    /// Units from this unit sequence number on were written after the cut.
    var replayFromUnit: UInt64
    /// When the cut was taken, in nanoseconds since 1970.
    var cutTime: UInt64
    var identity: StoreIdentity

    var encoded: [UInt8] {
        var writer = ByteWriter(reservingCapacity: CheckpointFormat.commitFixedBytes + 64)
        writer.appendLittleEndian(UInt32(pieceCount))
        writer.appendLittleEndian(itemsChecksum)
        writer.appendLittleEndian(itemBytes)
        writer.appendLittleEndian(entryCount)
        writer.appendLittleEndian(replayFromUnit)
        writer.appendLittleEndian(cutTime)
        writer.append(identity.headerValue)
        return writer.bytes
    }

    /// Reads a commit record's value, or `nil` if it is not one.
    init?(id: UInt64, value: UnsafeRawBufferPointer) {
        var reader = ByteReader(value)
        guard let pieces = reader.littleEndian(UInt32.self), let checksum = reader.littleEndian(UInt32.self),
            let itemBytes = reader.littleEndian(UInt64.self), let entries = reader.littleEndian(UInt64.self),
            let replayFrom = reader.littleEndian(UInt64.self), let time = reader.littleEndian(UInt64.self),
            let identity = StoreIdentity(headerValue: UnsafeRawBufferPointer(rebasing: value[CheckpointFormat.commitFixedBytes...]))
        else { return nil }
        self.init(
            id: id, pieceCount: Int(pieces), itemsChecksum: checksum, itemBytes: itemBytes, entryCount: entries,
            replayFromUnit: replayFrom, cutTime: time, identity: identity)
    }

    init(
        id: UInt64, pieceCount: Int, itemsChecksum: UInt32, itemBytes: UInt64, entryCount: UInt64, replayFromUnit: UInt64,
        cutTime: UInt64, identity: StoreIdentity
    ) {
        self.id = id
        self.pieceCount = pieceCount
        self.itemsChecksum = itemsChecksum
        self.itemBytes = itemBytes
        self.entryCount = entryCount
        self.replayFromUnit = replayFromUnit
        self.cutTime = cutTime
        self.identity = identity
    }
}
