import ZoneKVDevice

/// Finds the checkpoints on a device without reading them whole: each metadata zone is walked
/// unit by unit, reading only each unit's first block (its header says how long it is). Where a
/// header is damaged the walk reads the rest of that zone and scans it block by block.
struct CheckpointLocator {
    /// A unit of the metadata stream.
    struct MetadataUnit {
        var zone: Int
        var address: BlockAddress
        var peek: UnitPeek
    }

    private(set) var units: [MetadataUnit] = []
    private var pieces: [PieceKey: MetadataUnit] = [:]

    private struct PieceKey: Hashable {
        var checkpoint: UInt64
        var index: Int
    }

    /// Commit units, newest checkpoint first.
    var commits: [MetadataUnit] {
        units.filter { $0.peek.firstRecordType == .checkpointCommit }.sorted { $0.peek.firstRecordSequence > $1.peek.firstRecordSequence }
    }

    /// The unit holding piece `index` of checkpoint `id`.
    func piece(_ index: Int, of id: UInt64) -> MetadataUnit? { pieces[PieceKey(checkpoint: id, index: index)] }

    /// The highest unit sequence number among metadata units.
    var newestUnitSequence: UInt64 { units.map(\.peek.sequence).max() ?? 0 }

    static func walk(_ zones: [ZoneDescriptor], heads: ZoneHeads, on queue: DeviceQueue, unitBytes: Int) throws(StoreError) -> CheckpointLocator {
        var locator = CheckpointLocator()
        let blockSize = queue.geometry.blockSize
        for zone in zones where heads.isMetadata(zone.zone.rawValue) {
            let end = LogRecovery.blocksToScan(zone)
            var block: UInt64 = 0
            while block < end {
                let address = zone.start.advanced(by: block)
                let first: [UInt8]
                do throws(DeviceError) { first = try queue.read(from: address, blockCount: 1) } catch {
                    throw StoreError(error, during: "reading checkpoint units in zone \(zone.zone.rawValue)")
                }
                guard let peek = first.withUnsafeBytes({ AppendUnitDecoder.peek($0, blockSize: blockSize, maximumUnitBytes: unitBytes) }),
                    peek.stream == .metadata
                else {
                    try locator.scanRest(of: zone, from: block, to: end, on: queue, unitBytes: unitBytes)
                    break
                }
                locator.add(MetadataUnit(zone: zone.zone.rawValue, address: address, peek: peek))
                block += UInt64(peek.blocks)
            }
        }
        return locator
    }

    /// Scans a zone's remaining blocks for intact units, past a damaged one.
    private mutating func scanRest(of zone: ZoneDescriptor, from block: UInt64, to end: UInt64, on queue: DeviceQueue, unitBytes: Int)
        throws(StoreError)
    {
        let blockSize = queue.geometry.blockSize
        let bytes: [UInt8]
        do throws(DeviceError) { bytes = try queue.read(from: zone.start.advanced(by: block), blockCount: Int(end - block)) } catch {
            throw StoreError(error, during: "reading checkpoint units in zone \(zone.zone.rawValue)")
        }
        bytes.withUnsafeBytes { raw in
            for unit in AppendUnitDecoder.scanZone(raw, blockSize: blockSize).units where unit.stream == .metadata {
                let start = UnsafeRawBufferPointer(rebasing: raw[unit.offset...])
                guard let peek = AppendUnitDecoder.peek(start, blockSize: blockSize, maximumUnitBytes: unitBytes) else { continue }
                add(MetadataUnit(zone: zone.zone.rawValue, address: zone.start.advanced(by: block + UInt64(unit.offset / blockSize)), peek: peek))
            }
        }
    }

    private mutating func add(_ unit: MetadataUnit) {
        units.append(unit)
        if unit.peek.firstRecordType == .checkpointPiece, let index = unit.peek.pieceIndex {
            pieces[PieceKey(checkpoint: unit.peek.firstRecordSequence, index: index)] = unit
        }
    }
}
