import ZoneKVDevice

/// Before a format erases a device: does it hold anything but ZoneKV data of this format
/// version? Only the first block of each zone with data is read: every zone ZoneKV writes
/// starts with one of its append units.
enum ForeignDataCheck {
    /// Throws `.notAStore` if a zone holds data that is not ZoneKV's, `.unsupportedFormat` if it
    /// holds another format version's, each saying how to erase it anyway.
    static func requireNoForeignData(on queue: DeviceQueue, path: String) throws(StoreError) {
        let zones: [ZoneDescriptor]
        do throws(DeviceError) { zones = try queue.reportZones() } catch { throw StoreError(error, during: "reporting zones") }
        let erase = "formatting erases it: format with erasingForeignData: true to do that"
        for zone in zones where zone.state != .offline && zone.state != .empty && zone.writtenBlocks > 0 {
            let first: [UInt8]
            do throws(DeviceError) {
                first = try queue.read(from: zone.start, blockCount: 1)
            } catch {
                throw StoreError(error, during: "reading the first block of zone \(zone.zone.rawValue)")
            }
            let magic = first.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
            guard magic == AppendUnitFormat.magic else {
                throw StoreError(
                    .notAStore, "\(path) holds data that is not a ZoneKV store (zone \(zone.zone.rawValue) is written); \(erase)")
            }
            let version = first[AppendUnitFormat.HeaderField.version]
            guard version == AppendUnitFormat.version else {
                throw StoreError(
                    .unsupportedFormat,
                    "\(path) holds a ZoneKV store of format version \(version), which this build (version \(AppendUnitFormat.version)) cannot read; \(erase)")
            }
        }
    }
}
