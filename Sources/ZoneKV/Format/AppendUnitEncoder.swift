import ZoneKVCodecs
import ZoneKVDevice

/// Builds one append unit in a device queue slot's buffer: records are added one by one, then
/// the unit is sealed with its header and checksum, ready for Zone Append.
///
/// Group commit packs the records of many writers into one unit this way.
struct AppendUnitEncoder {
    /// The most bytes the unit may take (the device's append limit, at most the buffer size).
    let capacity: Int
    let blockSize: Int
    private(set) var payloadBytes = 0
    private(set) var recordCount = 0

    init(capacity: Int, blockSize: Int) {
        self.capacity = capacity
        self.blockSize = blockSize
    }

    /// Whether nothing has been added yet.
    var isEmpty: Bool { recordCount == 0 }

    /// Whether a record with this key and stored value still fits.
    func fits(keyCount: Int, valueCount: Int) -> Bool {
        AppendUnitFormat.headerBytes + payloadBytes + AppendUnitFormat.recordBytes(keyCount: keyCount, valueCount: valueCount)
            <= capacity
    }

    /// Where an added record's value went in the unit, and how it was stored.
    struct AddedRecord {
        /// Offset of the stored value from the start of the unit.
        var valueOffset: Int
        var storedLength: Int
        var flags: RecordFlags
    }

    /// Adds a record. With a `compressionThreshold`, a value of at least that many bytes is
    /// LZ4-compressed straight into the unit (stored as a 4-byte original length, then the LZ4
    /// block) when that is smaller; otherwise it is copied as is.
    ///
    /// - Precondition: the record fits uncompressed.
    @discardableResult
    mutating func add(
        _ type: RecordType, flags: RecordFlags = [], sequence: UInt64,
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, compressionThreshold: Int? = nil, into buffer: IOBuffer
    ) -> AddedRecord {
        precondition(fits(keyCount: key.count, valueCount: value.count), "record does not fit the unit")
        let start = AppendUnitFormat.headerBytes + payloadBytes
        let valueOffset = start + AppendUnitFormat.recordHeaderBytes + key.count
        var storedFlags = flags
        let storedLength: Int = buffer.withUnsafeMutableBytes { bytes in
            if key.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: bytes[start + AppendUnitFormat.recordHeaderBytes..<valueOffset]).copyMemory(from: key)
            }
            if let compressionThreshold, value.count >= compressionThreshold, value.count > AppendUnitFormat.compressedPrefixBytes + 1 {
                // Only a result at least one byte smaller than the value is kept.
                let target = UnsafeMutableRawBufferPointer(
                    rebasing: bytes[valueOffset + AppendUnitFormat.compressedPrefixBytes..<valueOffset + value.count - 1])
                if let compressed = LZ4.compress(value, into: target) {
                    bytes.storeBytes(of: UInt32(value.count).littleEndian, toByteOffset: valueOffset, as: UInt32.self)
                    storedFlags.insert(.compressed)
                    return AppendUnitFormat.compressedPrefixBytes + compressed
                }
            }
            if value.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: bytes[valueOffset..<valueOffset + value.count]).copyMemory(from: value)
            }
            return value.count
        }
        buffer.withUnsafeMutableBytes { bytes in
            typealias Field = AppendUnitFormat.RecordField
            bytes[start + Field.type] = type.rawValue
            bytes[start + Field.flags] = storedFlags.rawValue
            bytes.storeBytes(of: UInt16(key.count).littleEndian, toByteOffset: start + Field.keyLength, as: UInt16.self)
            bytes.storeBytes(of: UInt32(storedLength).littleEndian, toByteOffset: start + Field.valueLength, as: UInt32.self)
            bytes.storeBytes(of: sequence.littleEndian, toByteOffset: start + Field.sequence, as: UInt64.self)
        }
        payloadBytes += AppendUnitFormat.recordBytes(keyCount: key.count, valueCount: storedLength)
        recordCount += 1
        return AddedRecord(valueOffset: valueOffset, storedLength: storedLength, flags: storedFlags)
    }

    /// Writes the header and checksum, pads to whole blocks with zeros, and returns the unit's
    /// size in blocks. The encoder is empty again afterwards.
    mutating func seal(sequence: UInt64, stream: WriteStream, storeTag: UInt32 = 0, into buffer: IOBuffer) -> Int {
        let length = AppendUnitFormat.headerBytes + payloadBytes
        let blocks = (length + blockSize - 1) / blockSize
        buffer.withUnsafeMutableBytes { bytes in
            typealias Field = AppendUnitFormat.HeaderField
            bytes.storeBytes(of: AppendUnitFormat.magic.littleEndian, toByteOffset: Field.magic, as: UInt32.self)
            bytes[Field.version] = AppendUnitFormat.version
            bytes[Field.stream] = stream.rawValue
            bytes.storeBytes(of: UInt16(AppendUnitFormat.headerBytes).littleEndian, toByteOffset: Field.headerBytes, as: UInt16.self)
            bytes.storeBytes(of: sequence.littleEndian, toByteOffset: Field.sequence, as: UInt64.self)
            bytes.storeBytes(of: UInt32(payloadBytes).littleEndian, toByteOffset: Field.payloadBytes, as: UInt32.self)
            bytes.storeBytes(of: UInt32(recordCount).littleEndian, toByteOffset: Field.recordCount, as: UInt32.self)
            bytes.storeBytes(of: UInt32(0), toByteOffset: Field.checksum, as: UInt32.self)
            bytes.storeBytes(of: storeTag.littleEndian, toByteOffset: Field.storeTag, as: UInt32.self)
            let checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
            bytes.storeBytes(of: checksum.littleEndian, toByteOffset: Field.checksum, as: UInt32.self)
            let padded = blocks * blockSize
            if padded > length {
                UnsafeMutableRawBufferPointer(rebasing: bytes[length..<padded]).initializeMemory(as: UInt8.self, repeating: 0)
            }
        }
        payloadBytes = 0
        recordCount = 0
        return blocks
    }
}
