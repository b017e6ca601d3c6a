import ZoneKVCodecs

/// Writes a checkpoint's items into pieces of at most `pieceBytes` (uncompressed), each
/// standing alone, and compresses each finished piece with LZ4 where that makes it smaller.
/// See `CheckpointFormat` for the items.
struct CheckpointEncoder {
    /// A finished piece, ready to be written as one record.
    struct Piece {
        var index: Int
        /// The items, or `u32 length + LZ4 block` when `isCompressed`.
        var value: [UInt8]
        var isCompressed: Bool
    }

    let pieceBytes: Int
    private var items: ByteWriter
    private var item = ByteWriter(reservingCapacity: 64)
    /// The previous entry's key in this piece (prefix compression starts over in each piece).
    private var previousKey: [UInt8] = []
    private(set) var pieces: [Piece] = []
    private(set) var pieceCount = 0
    private(set) var itemsChecksum: UInt32 = 0
    private(set) var itemBytes: UInt64 = 0
    private(set) var entryCount: UInt64 = 0

    init(pieceBytes: Int) {
        self.pieceBytes = pieceBytes
        items = ByteWriter(reservingCapacity: pieceBytes)
    }

    // MARK: Items

    mutating func addZone(_ zone: Int, writtenBlocks: UInt64, lowestPutSequence: UInt64, newestUnit: UInt64) {
        item.removeAll()
        item.append(CheckpointFormat.Item.zone.rawValue)
        item.appendVarint(zone)
        item.appendVarint(writtenBlocks)
        item.appendVarint(lowestPutSequence == .max ? 0 : lowestPutSequence + 1)
        item.appendVarint(newestUnit)
        addItem()
    }

    mutating func addFailedBatch(_ sequence: UInt64) {
        item.removeAll()
        item.append(CheckpointFormat.Item.failedBatch.rawValue)
        item.appendVarint(sequence)
        addItem()
    }

    /// Adds an index entry; entries come in key order. A large value's entry carries its chunks.
    mutating func addEntry(key: UnsafeRawBufferPointer, _ entry: IndexEntry, chunks: [LargeValueDescriptor.Chunk]) {
        item.removeAll()
        appendLocation(entry.location)
        item.appendVarint(entry.sequence)
        if entry.location.isLargeValue {
            item.appendVarint(chunks.count)
            for chunk in chunks {
                item.appendVarint(chunk.zone)
                item.appendVarint(chunk.offset)
                item.appendVarint(chunk.byteCount)
            }
        }
        // The key part takes at most two varints and the key's bytes.
        if items.count + 1 + 8 + key.count + item.count > pieceBytes { finishPiece() }
        let shared = previousKey.withUnsafeBytes { commonPrefixLength($0, key) }
        items.append(CheckpointFormat.Item.entry.rawValue)
        items.appendVarint(shared)
        items.appendVarint(key.count - shared)
        items.append(UnsafeRawBufferPointer(rebasing: key[shared...]))
        items.append(item.bytes)
        previousKey.removeAll(keepingCapacity: true)
        previousKey.append(contentsOf: key)
        entryCount += 1
    }

    private mutating func appendLocation(_ location: RecordLocation) {
        item.appendVarint(location.zone)
        item.appendVarint(location.offset)
        item.appendVarint(location.storedLength)
        item.append(location.flags)
    }

    private mutating func addItem() {
        if items.count + item.count > pieceBytes { finishPiece() }
        items.append(item.bytes)
    }

    // MARK: Pieces

    /// Closes the piece being filled, if it holds anything.
    mutating func finishPiece() {
        guard items.count > 0 else { return }
        let raw = items.bytes
        itemsChecksum = CRC32C.checksum(raw, continuing: itemsChecksum)
        itemBytes += UInt64(raw.count)
        var piece = Piece(index: pieceCount, value: raw, isCompressed: false)
        if let compressed = LZ4.compress(raw), compressed.count + AppendUnitFormat.compressedPrefixBytes < raw.count {
            var value = ByteWriter(reservingCapacity: compressed.count + AppendUnitFormat.compressedPrefixBytes)
            value.appendLittleEndian(UInt32(raw.count))
            value.append(compressed)
            piece = Piece(index: pieceCount, value: value.bytes, isCompressed: true)
        }
        pieces.append(piece)
        pieceCount += 1
        items.removeAll()
        previousKey.removeAll(keepingCapacity: true)
    }

    /// Hands over the finished pieces.
    mutating func takePieces() -> [Piece] {
        defer { pieces.removeAll() }
        return pieces
    }
}
