import ZoneKVDevice
import ZoneKVCodecs

/// Every reader of on-device bytes, callable on arbitrary bytes, for the fuzzers in
/// `Tools/fuzz`: a store reads these from a device it may not have written (or that a crash,
/// a worn zone or another program damaged), so each must answer damaged input with "not
/// intact", never a crash or a read out of bounds. Not API: the SPI may change at any time.
@_spi(Fuzzing) public enum OnDeviceDecoding {
    /// Decodes `bytes` as the contents of a zone the way recovery and collection do: every
    /// intact unit, and in each every record's value read as the engine reads it (values
    /// decompressed, large-value descriptors, store headers, checkpoint pieces and commits).
    public static func decodeZone(_ bytes: UnsafeRawBufferPointer, blockSize: Int) {
        guard blockSize > 0 else { return }
        _ = AppendUnitDecoder.peek(bytes, blockSize: blockSize, maximumUnitBytes: max(bytes.count, blockSize))
        for unit in AppendUnitDecoder.scanZone(bytes, blockSize: blockSize).units {
            for record in unit.records {
                decodeRecord(type: record.type, flags: record.flags, sequence: record.sequence, value: UnsafeRawBufferPointer(rebasing: bytes[record.value]))
            }
        }
    }

    /// Loads `bytes` as one checkpoint piece's items into an empty index, then checks the
    /// checkpoint as complete (as an open does before it trusts one).
    public static func loadCheckpointPiece(_ bytes: UnsafeRawBufferPointer, zoneCount: Int = 64) {
        let identity = StoreIdentity(tag: 1, generation: 1)
        let commit = CheckpointCommit(
            id: 1, pieceCount: 1, itemsChecksum: 0, itemBytes: UInt64(bytes.count), entryCount: 0, replayFromUnit: 0, cutTime: 0,
            identity: identity)
        var loader = CheckpointLoader(commit: commit, state: EngineState(cacheBytes: 0, zoneCount: zoneCount), zoneCount: zoneCount)
        if loader.load(piece: bytes) { _ = loader.finish() }
    }

    /// Reads `bytes` as a store header's value (the store's superblock) and as a checkpoint
    /// commit's value.
    public static func readStoreHeader(_ bytes: UnsafeRawBufferPointer) {
        _ = StoreIdentity(headerValue: bytes)
        _ = CheckpointCommit(id: 1, value: bytes)
    }

    /// Reads `bytes` as a stored value: LZ4-compressed (with its length prefix), and as a
    /// large value's descriptor.
    public static func readValue(_ bytes: UnsafeRawBufferPointer) {
        decodeRecord(type: .put, flags: .compressed, sequence: 1, value: bytes)
        decodeRecord(type: .put, flags: .largeValue, sequence: 1, value: bytes)
    }

    /// Seeds for the zone fuzzer: each intact unit of a real zone alone, and runs of three, so
    /// inputs stay small enough to mutate quickly.
    public static func unitSeeds(inZone bytes: UnsafeRawBufferPointer, blockSize: Int) -> [[UInt8]] {
        let units = AppendUnitDecoder.scanZone(bytes, blockSize: blockSize).units
        var seeds = units.map { [UInt8](bytes[$0.offset..<$0.offset + $0.paddedBytes]) }
        for first in stride(from: 0, to: max(0, units.count - 2), by: 3) {
            seeds.append([UInt8](bytes[units[first].offset..<units[first + 2].offset + units[first + 2].paddedBytes]))
        }
        return seeds
    }

    /// Seeds for the record-level fuzzers, taken from the intact records of a real zone:
    /// checkpoint pieces' items (expanded), store headers and commits, compressed values and
    /// large-value descriptors.
    public static func recordSeeds(inZone bytes: UnsafeRawBufferPointer, blockSize: Int) -> [(kind: SeedKind, bytes: [UInt8])] {
        var seeds: [(SeedKind, [UInt8])] = []
        for unit in AppendUnitDecoder.scanZone(bytes, blockSize: blockSize).units {
            for record in unit.records {
                let value = UnsafeRawBufferPointer(rebasing: bytes[record.value])
                switch record.type {
                case .checkpointPiece:
                    if let items = expanded(value, flags: record.flags) { seeds.append((.checkpointPiece, items)) }
                case .storeHeader, .checkpointCommit:
                    seeds.append((.storeHeader, [UInt8](value)))
                case .put where record.flags.contains(.compressed) || record.flags.contains(.largeValue):
                    seeds.append((.value, [UInt8](value)))
                default:
                    break
                }
            }
        }
        return seeds
    }

    /// Which fuzzer a record seed is for.
    public enum SeedKind: String, Sendable {
        case checkpointPiece = "checkpoint-piece"
        case storeHeader = "store-header"
        case value
    }

    private static func decodeRecord(type: RecordType, flags: RecordFlags, sequence: UInt64, value: UnsafeRawBufferPointer) {
        switch type {
        case .storeHeader:
            _ = StoreIdentity(headerValue: value)
        case .checkpointCommit:
            _ = CheckpointCommit(id: sequence, value: value)
        case .checkpointPiece:
            expanded(value, flags: flags)?.withUnsafeBytes { loadCheckpointPiece($0) }
        case .put where flags.contains(.largeValue):
            _ = expanded(value, flags: flags).flatMap(LargeValueDescriptor.init(decoding:))
        case .put, .valueChunk:
            _ = expanded(value, flags: flags)
        case .delete, .batchCommit:
            break
        }
    }

    /// A stored value as the writer gave it, expanded by the record reader where `flags` say it
    /// is compressed, or `nil` if it is damaged.
    private static func expanded(_ value: UnsafeRawBufferPointer, flags: RecordFlags) -> [UInt8]? {
        let location = RecordLocation(zone: 0, offset: 0, storedLength: value.count, recordFlags: flags)
        let reader = RecordReader(geometry: fuzzingGeometry, unitBytes: 1 << 20)
        return try? reader.decode(value, compressed: flags.contains(.compressed), at: location)
    }

    private static let fuzzingGeometry = DeviceGeometry(
        blockSize: 4096, blockCount: 64 << 14, zoneCount: 64, zoneSize: 1 << 14, zoneCapacity: 1 << 14, maxOpenZones: nil,
        maxActiveZones: nil, maxAppendBytes: 1 << 20, maxTransferBytes: 1 << 20)
}
