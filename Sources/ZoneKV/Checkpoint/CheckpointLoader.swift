import ZoneKVCodecs

/// Loads a checkpoint's pieces, in order, into a fresh engine state: the index is appended in
/// key order (no search per key), and zones and failed batches are restored. Every field is checked, so damaged bytes make the load fail rather
/// than build a wrong index; the caller then tries an older checkpoint.
struct CheckpointLoader {
    let commit: CheckpointCommit
    let state: EngineState
    private let zoneCount: Int
    /// Per zone, the blocks written at the cut; `nil` for a zone the checkpoint names not (empty then).
    private(set) var writtenBlocks: [UInt64?]
    private var checksum: UInt32 = 0
    private var itemBytes: UInt64 = 0
    private var previousKey: [UInt8] = []
    private var key: [UInt8] = []

    init(commit: CheckpointCommit, state: EngineState, zoneCount: Int) {
        self.commit = commit
        self.state = state
        self.zoneCount = zoneCount
        writtenBlocks = Array(repeating: nil, count: zoneCount)
        key.reserveCapacity(AppendUnitFormat.maxKeyBytes)
        previousKey.reserveCapacity(AppendUnitFormat.maxKeyBytes)
    }

    /// Applies one piece's items (uncompressed). Returns `false` if they are damaged.
    mutating func load(piece: UnsafeRawBufferPointer) -> Bool {
        checksum = CRC32C.checksum(piece, continuing: checksum)
        itemBytes += UInt64(piece.count)
        previousKey.removeAll(keepingCapacity: true)
        var reader = ByteReader(piece)
        while !reader.isAtEnd {
            guard let kind = reader.byte().flatMap(CheckpointFormat.Item.init(rawValue:)) else { return false }
            let intact: Bool
            switch kind {
            case .zone: intact = readZone(&reader)
            case .failedBatch: intact = reader.varint().map { state.failedBatches.insert($0) } != nil
            case .entry: intact = readEntry(&reader)
            }
            guard intact else { return false }
        }
        return true
    }

    /// Whether every piece was loaded: the checksum, byte and entry counts match the commit's.
    mutating func finish() -> Bool {
        state.index.finishAppending()
        return checksum == commit.itemsChecksum && itemBytes == commit.itemBytes
            && UInt64(state.index.count) == commit.entryCount
    }

    // MARK: Items

    private mutating func readZone(_ reader: inout ByteReader) -> Bool {
        guard let zone = reader.count(atMost: zoneCount - 1), let written = reader.varint(), let lowestPut = reader.varint(),
            let newestUnit = reader.varint()
        else { return false }
        writtenBlocks[zone] = written
        state.zoneUsage.restore(zone: zone, lowestPutSequence: lowestPut == 0 ? .max : lowestPut - 1, newestUnit: newestUnit)
        return true
    }

    private mutating func readEntry(_ reader: inout ByteReader) -> Bool {
        guard let shared = reader.count(atMost: previousKey.count),
            let suffixCount = reader.count(atMost: AppendUnitFormat.maxKeyBytes - shared), let suffix = reader.bytes(suffixCount),
            let location = readLocation(&reader), let sequence = reader.varint()
        else { return false }
        var chunks: [LargeValueDescriptor.Chunk] = []
        if location.isLargeValue {
            guard let count = reader.count(atMost: 1 << 20) else { return false }
            for _ in 0..<count {
                guard let zone = reader.count(atMost: zoneCount - 1), let offset = reader.varint(),
                    let byteCount = reader.count(atMost: IndexEntry.maxStoredLength)
                else { return false }
                chunks.append(LargeValueDescriptor.Chunk(zone: zone, offset: offset, byteCount: byteCount))
            }
        }
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: previousKey[0..<shared])
        key.append(contentsOf: suffix)
        let appended = key.withUnsafeBytes { state.index.appendInOrder($0, location: location, sequence: sequence) }
        guard appended else { return false }
        state.zoneUsage.addLive(location, keyCount: key.count, chunks: chunks)
        swap(&key, &previousKey)
        return true
    }

    private func readLocation(_ reader: inout ByteReader) -> RecordLocation? {
        guard let zone = reader.count(atMost: zoneCount - 1), let offset = reader.varint(), offset <= IndexEntry.maxZoneOffset,
            let storedLength = reader.count(atMost: IndexEntry.maxStoredLength), let flags = reader.byte(), flags <= 3
        else { return nil }
        return RecordLocation(zone: zone, offset: offset, storedLength: storedLength, flags: flags)
    }
}
