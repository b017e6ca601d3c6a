/// The emulator's zone table: one entry per zone in the memory-mapped part of the device file.
///
/// Stores go straight to the shared mapping, so they outlive the process (the page cache keeps
/// them) and reach the disk at the next flush. Only `EmulatedController` touches it, under its lock.
struct ZoneTable: @unchecked Sendable {
    private let entries: UnsafeMutableRawBufferPointer
    let zoneCount: Int

    init(mapping: UnsafeMutableRawBufferPointer, zoneCount: Int) {
        entries = UnsafeMutableRawBufferPointer(
            rebasing: mapping[EmulatedDeviceFormat.headerBytes..<EmulatedDeviceFormat.headerBytes + zoneCount * EmulatedDeviceFormat.zoneEntryBytes])
        self.zoneCount = zoneCount
    }

    private func offset(_ zone: Int, _ field: Int) -> Int { zone * EmulatedDeviceFormat.zoneEntryBytes + field }

    func state(_ zone: Int) -> ZoneState {
        ZoneState(rawValue: entries[offset(zone, EmulatedDeviceFormat.ZoneField.state)]) ?? .offline
    }

    func setState(_ zone: Int, _ state: ZoneState) {
        entries[offset(zone, EmulatedDeviceFormat.ZoneField.state)] = state.rawValue
    }

    /// Blocks written into the zone.
    func writePointer(_ zone: Int) -> UInt64 {
        entries.loadLittleEndianUInt64(at: offset(zone, EmulatedDeviceFormat.ZoneField.writePointer))
    }

    func setWritePointer(_ zone: Int, _ blocks: UInt64) {
        entries.storeLittleEndian(blocks, at: offset(zone, EmulatedDeviceFormat.ZoneField.writePointer))
    }

    /// Blocks of the zone known durable as of the last flush.
    func durableWritePointer(_ zone: Int) -> UInt64 {
        entries.loadLittleEndianUInt64(at: offset(zone, EmulatedDeviceFormat.ZoneField.durableWritePointer))
    }

    func setDurableWritePointer(_ zone: Int, _ blocks: UInt64) {
        entries.storeLittleEndian(blocks, at: offset(zone, EmulatedDeviceFormat.ZoneField.durableWritePointer))
    }

    /// Checks every entry, so a damaged file is reported rather than misread.
    func validate(zoneCapacity: UInt64) -> String? {
        for zone in 0..<zoneCount {
            let rawState = entries[offset(zone, EmulatedDeviceFormat.ZoneField.state)]
            guard ZoneState(rawValue: rawState) != nil else { return "zone \(zone) has an unknown state 0x\(String(rawState, radix: 16))" }
            guard writePointer(zone) <= zoneCapacity, durableWritePointer(zone) <= writePointer(zone) else {
                return "zone \(zone) has an impossible write pointer"
            }
        }
        return nil
    }
}
