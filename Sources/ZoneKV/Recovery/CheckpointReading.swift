import ZoneKVCodecs
import ZoneKVDevice

extension CheckpointLocator {
    /// The newest checkpoint that is whole and intact, loaded into a fresh state from
    /// `makeState`, and how many newer ones were skipped (torn by a crash while being written,
    /// or damaged). Only checkpoints whose store `accepts` are considered. `loaded` is `nil` when
    /// none loads: recovery then reads the whole log.
    func loadNewest(
        on queue: DeviceQueue, accepting accepts: (CheckpointCommit) -> Bool, makeState: () -> EngineState
    ) -> (loaded: CheckpointLoader?, skipped: Int) {
        var skipped = 0
        for unit in commits {
            guard let (commit, storeTag) = readCommit(unit, on: queue), commit.identity.tag == storeTag, accepts(commit) else {
                skipped += 1
                continue
            }
            var loader = CheckpointLoader(commit: commit, state: makeState(), zoneCount: queue.geometry.zoneCount)
            if loadPieces(of: commit, into: &loader, on: queue) && loader.finish() { return (loader, skipped) }
            skipped += 1
        }
        return (nil, skipped)
    }

    private func readCommit(_ unit: MetadataUnit, on queue: DeviceQueue) -> (CheckpointCommit, storeTag: UInt32)? {
        readRecord(unit, on: queue) { decoded, record, bytes in
            guard record.type == .checkpointCommit else { return nil }
            return CheckpointCommit(id: record.sequence, value: UnsafeRawBufferPointer(rebasing: bytes[record.value])).map {
                ($0, decoded.storeTag)
            }
        }
    }

    private func loadPieces(of commit: CheckpointCommit, into loader: inout CheckpointLoader, on queue: DeviceQueue) -> Bool {
        var expanded: [UInt8] = []
        for index in 0..<commit.pieceCount {
            guard let unit = piece(index, of: commit.id) else { return false }
            let loaded: Bool? = readRecord(unit, on: queue) { decoded, record, bytes in
                guard record.type == .checkpointPiece, record.sequence == commit.id, decoded.storeTag == commit.identity.tag
                else { return nil }
                let value = UnsafeRawBufferPointer(rebasing: bytes[record.value])
                guard record.flags.contains(.compressed) else { return loader.load(piece: value) }
                guard value.count > AppendUnitFormat.compressedPrefixBytes else { return false }
                let original = Int(value.loadLittleEndian(at: 0, as: UInt32.self))
                guard original <= bytes.count * 256 else { return false }
                expanded = [UInt8](repeating: 0, count: original)
                let intact = expanded.withUnsafeMutableBytes {
                    LZ4.decompress(UnsafeRawBufferPointer(rebasing: value[(value.startIndex + AppendUnitFormat.compressedPrefixBytes)...]), into: $0)
                }
                return intact && expanded.withUnsafeBytes { loader.load(piece: $0) }
            }
            guard loaded == true else { return false }
        }
        return true
    }

    /// Reads a metadata unit whole, checks it, and hands its first record to `body`; `nil` if the
    /// unit cannot be read or is not intact.
    private func readRecord<Result>(
        _ unit: MetadataUnit, on queue: DeviceQueue, _ body: (DecodedUnit, DecodedRecord, UnsafeRawBufferPointer) -> Result?
    ) -> Result? {
        guard let bytes = try? queue.read(from: unit.address, blockCount: unit.peek.blocks) else { return nil }
        return bytes.withUnsafeBytes { raw in
            guard let decoded = AppendUnitDecoder.decodeUnit(in: raw, at: 0, blockSize: queue.geometry.blockSize),
                let record = decoded.records.first
            else { return nil }
            return body(decoded, record, raw)
        }
    }
}
