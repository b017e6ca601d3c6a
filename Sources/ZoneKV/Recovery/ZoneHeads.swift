import ZoneKVDevice

/// The first unit of every zone that holds data, read one block per zone at open: which
/// stream wrote the zone (metadata zones hold checkpoints), which store, and whether the zone
/// was reset and written again since a checkpoint's cut (its first unit is then newer).
struct ZoneHeads {
    /// Per zone; `nil` where the zone is empty, unreadable, or starts with no plausible unit.
    private(set) var heads: [UnitPeek?]

    subscript(zone: Int) -> UnitPeek? { heads[zone] }

    static func read(_ zones: [ZoneDescriptor], on queue: DeviceQueue, unitBytes: Int) throws(StoreError) -> ZoneHeads {
        var heads = [UnitPeek?](repeating: nil, count: zones.count)
        for zone in zones where LogRecovery.blocksToScan(zone) > 0 {
            let block: [UInt8]
            do throws(DeviceError) {
                block = try queue.read(from: zone.start, blockCount: 1)
            } catch {
                throw StoreError(error, during: "reading the first block of zone \(zone.zone.rawValue)")
            }
            heads[zone.zone.rawValue] = block.withUnsafeBytes {
                AppendUnitDecoder.peek($0, blockSize: queue.geometry.blockSize, maximumUnitBytes: unitBytes)
            }
        }
        return ZoneHeads(heads: heads)
    }

    /// The stream that writes each zone, where known: what the allocator goes on with.
    var streams: [WriteStream?] { heads.map { $0?.stream } }

    func isMetadata(_ zone: Int) -> Bool { heads[zone]?.stream == .metadata }
}
