import ZoneKVCodecs

/// A record found in an append unit, located by byte ranges in the bytes it was decoded from.
struct DecodedRecord: Sendable, Hashable {
    var type: RecordType
    var flags: RecordFlags
    var sequence: UInt64
    var key: Range<Int>
    var value: Range<Int>
}

/// A valid append unit found in a zone's bytes.
struct DecodedUnit: Sendable {
    /// Offset of the unit from the start of the bytes scanned.
    var offset: Int
    /// Bytes the unit occupies, padding included.
    var paddedBytes: Int
    var sequence: UInt64
    var stream: WriteStream
    /// The tag of the store that wrote the unit.
    var storeTag: UInt32
    var records: [DecodedRecord]
}

/// Reads append units back: validates magic, version, lengths and checksum, so a torn unit,
/// zeros, or stale bytes are never mistaken for data.
enum AppendUnitDecoder {
    /// Decodes the unit starting at `offset`, or returns `nil` if there is no intact unit there.
    static func decodeUnit(in bytes: UnsafeRawBufferPointer, at offset: Int, blockSize: Int) -> DecodedUnit? {
        typealias Field = AppendUnitFormat.HeaderField
        let headerBytes = AppendUnitFormat.headerBytes
        guard offset >= 0, offset + headerBytes <= bytes.count else { return nil }
        func load<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
        }
        guard load(offset + Field.magic, UInt32.self) == AppendUnitFormat.magic,
            bytes[offset + Field.version] == AppendUnitFormat.version,
            Int(load(offset + Field.headerBytes, UInt16.self)) == headerBytes,
            let stream = WriteStream(rawValue: bytes[offset + Field.stream])
        else { return nil }
        let payloadBytes = Int(load(offset + Field.payloadBytes, UInt32.self))
        let length = headerBytes + payloadBytes
        guard payloadBytes >= 0, offset + length <= bytes.count else { return nil }
        let stored = load(offset + Field.checksum, UInt32.self)
        // The checksum covers the header with its own field taken as zero, then the payload.
        var checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Field.checksum]))
        checksum = withUnsafeBytes(of: UInt32(0)) { CRC32C.checksum($0, continuing: checksum) }
        checksum = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[offset + Field.checksum + 4..<offset + length]), continuing: checksum)
        guard checksum == stored else { return nil }

        let recordCount = Int(load(offset + Field.recordCount, UInt32.self))
        // Checked before anything is reserved for them: a count the payload cannot hold (found
        // by fuzzing, with a matching checksum) asked for hundreds of GB.
        guard recordCount <= payloadBytes / AppendUnitFormat.recordHeaderBytes else { return nil }
        var records: [DecodedRecord] = []
        records.reserveCapacity(recordCount)
        var position = offset + headerBytes
        for _ in 0..<recordCount {
            typealias RecordField = AppendUnitFormat.RecordField
            guard position + AppendUnitFormat.recordHeaderBytes <= offset + length,
                let type = RecordType(rawValue: bytes[position + RecordField.type])
            else { return nil }
            let keyCount = Int(load(position + RecordField.keyLength, UInt16.self))
            let valueCount = Int(load(position + RecordField.valueLength, UInt32.self))
            let keyStart = position + AppendUnitFormat.recordHeaderBytes
            let valueStart = keyStart + keyCount
            guard valueStart + valueCount <= offset + length else { return nil }
            records.append(
                DecodedRecord(
                    type: type, flags: RecordFlags(rawValue: bytes[position + RecordField.flags]),
                    sequence: load(position + RecordField.sequence, UInt64.self),
                    key: keyStart..<valueStart, value: valueStart..<valueStart + valueCount))
            position = valueStart + valueCount
        }
        guard position == offset + length else { return nil }
        let padded = (length + blockSize - 1) / blockSize * blockSize
        return DecodedUnit(
            offset: offset, paddedBytes: padded, sequence: load(offset + Field.sequence, UInt64.self), stream: stream,
            storeTag: load(offset + Field.storeTag, UInt32.self), records: records)
    }

    /// Every intact unit in a zone's written bytes, in address order. Where the bytes at a block
    /// boundary are not an intact unit (a torn append, or a hole left by an append that never
    /// completed), scanning moves on block by block until it finds the next one.
    static func scanZone(_ bytes: UnsafeRawBufferPointer, blockSize: Int) -> (units: [DecodedUnit], skippedBlocks: Int) {
        var units: [DecodedUnit] = []
        var skipped = 0
        var offset = 0
        while offset + AppendUnitFormat.headerBytes <= bytes.count {
            if let unit = decodeUnit(in: bytes, at: offset, blockSize: blockSize) {
                units.append(unit)
                offset += unit.paddedBytes
            } else {
                skipped += 1
                offset += blockSize
            }
        }
        return (units, skipped)
    }
}

/// What a unit's first block says, read without the rest of the unit (so without its
/// checksum): enough to walk a zone unit by unit, and to tell which stream and store wrote it.
struct UnitPeek: Sendable, Hashable {
    var sequence: UInt64
    var stream: WriteStream
    var storeTag: UInt32
    /// Blocks the whole unit takes, padding included.
    var blocks: Int
    /// The first record's type and sequence number, and for a checkpoint piece its index.
    var firstRecordType: RecordType?
    var firstRecordSequence: UInt64
    var pieceIndex: Int?
}

extension AppendUnitDecoder {
    /// Reads the header and first record header at the start of `bytes` (a unit's first
    /// block), or `nil` if they are not a plausible unit of this format. Nothing is checked
    /// against the checksum: decode the whole unit before trusting its records.
    static func peek(_ bytes: UnsafeRawBufferPointer, blockSize: Int, maximumUnitBytes: Int) -> UnitPeek? {
        typealias Field = AppendUnitFormat.HeaderField
        let headerBytes = AppendUnitFormat.headerBytes
        guard bytes.count >= headerBytes,
            bytes.loadLittleEndian(at: Field.magic, as: UInt32.self) == AppendUnitFormat.magic,
            bytes[Field.version] == AppendUnitFormat.version,
            Int(bytes.loadLittleEndian(at: Field.headerBytes, as: UInt16.self)) == headerBytes,
            let stream = WriteStream(rawValue: bytes[Field.stream])
        else { return nil }
        let length = headerBytes + Int(bytes.loadLittleEndian(at: Field.payloadBytes, as: UInt32.self))
        guard length <= maximumUnitBytes else { return nil }
        var peek = UnitPeek(
            sequence: bytes.loadLittleEndian(at: Field.sequence, as: UInt64.self), stream: stream,
            storeTag: bytes.loadLittleEndian(at: Field.storeTag, as: UInt32.self), blocks: (length + blockSize - 1) / blockSize,
            firstRecordType: nil, firstRecordSequence: 0, pieceIndex: nil)
        typealias RecordField = AppendUnitFormat.RecordField
        let record = headerBytes
        guard bytes.loadLittleEndian(at: Field.recordCount, as: UInt32.self) > 0, record + AppendUnitFormat.recordHeaderBytes <= bytes.count
        else { return peek }
        peek.firstRecordType = RecordType(rawValue: bytes[record + RecordField.type])
        peek.firstRecordSequence = bytes.loadLittleEndian(at: record + RecordField.sequence, as: UInt64.self)
        let keyStart = record + AppendUnitFormat.recordHeaderBytes
        if peek.firstRecordType == .checkpointPiece,
            bytes.loadLittleEndian(at: record + RecordField.keyLength, as: UInt16.self) == CheckpointFormat.pieceKeyBytes,
            keyStart + CheckpointFormat.pieceKeyBytes <= bytes.count
        {
            peek.pieceIndex = Int(bytes.loadLittleEndian(at: keyStart, as: UInt32.self))
        }
        return peek
    }
}

extension UnsafeRawBufferPointer {
    /// A little-endian integer at `offset` (unaligned).
    func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as _: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
