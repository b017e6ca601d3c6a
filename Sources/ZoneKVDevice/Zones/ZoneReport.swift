/// The Report Zones data format (Zone Management Receive, ZRA 0): a 64-byte header holding the
/// number of descriptors, then one 64-byte descriptor per zone. The emulator writes it and
/// both backends parse it, so the format is defined once here.
enum ZoneReportFormat {
    static let headerBytes = 64
    static let descriptorBytes = 64
    /// QEMU (and so the emulator) reports this write pointer for full, read-only and offline zones.
    static let invalidWritePointer = UInt64.max

    /// Descriptors that fit in a buffer of `byteCount` bytes.
    static func capacity(forBufferBytes byteCount: Int) -> Int {
        (byteCount - headerBytes) / descriptorBytes
    }

    /// Parses a report for a device of `geometry`.
    static func parse(_ bytes: UnsafeRawBufferPointer, geometry: DeviceGeometry) throws(DeviceError) -> [ZoneDescriptor] {
        let count = Int(bytes.loadLittleEndianUInt64(at: 0))
        guard count <= capacity(forBufferBytes: bytes.count) else {
            throw DeviceError(.invalidField, "zone report claims \(count) descriptors, more than its buffer holds")
        }
        var zones: [ZoneDescriptor] = []
        zones.reserveCapacity(count)
        for index in 0..<count {
            let offset = headerBytes + index * descriptorBytes
            let rawState = bytes[offset + 1] >> 4
            guard let state = ZoneState(rawValue: rawState) else {
                throw DeviceError(.invalidField, "zone report holds an unknown zone state 0x\(String(rawState, radix: 16))")
            }
            let attributes = bytes[offset + 2]
            let capacity = bytes.loadLittleEndianUInt64(at: offset + 8)
            let start = BlockAddress(bytes.loadLittleEndianUInt64(at: offset + 16))
            let rawWritePointer = bytes.loadLittleEndianUInt64(at: offset + 24)
            let hasWritePointer = state.isWritable && rawWritePointer != invalidWritePointer
            zones.append(
                ZoneDescriptor(
                    zone: geometry.zone(containing: start), state: state, start: start, capacity: capacity,
                    writePointer: hasWritePointer ? BlockAddress(rawWritePointer) : nil,
                    isResetRecommended: attributes & 0x4 != 0, isFinishRecommended: attributes & 0x2 != 0))
        }
        return zones
    }

    /// Writes one descriptor (the emulator's side of the format).
    static func write(
        descriptorAt index: Int, state: ZoneState, start: UInt64, capacity: UInt64, writePointer: UInt64,
        into bytes: UnsafeMutableRawBufferPointer
    ) {
        let offset = headerBytes + index * descriptorBytes
        bytes.storeLittleEndian(UInt64(0), at: offset)
        bytes.storeLittleEndian(UInt64(0), at: offset + 32)
        bytes.storeLittleEndian(UInt64(0), at: offset + 40)
        bytes.storeLittleEndian(UInt64(0), at: offset + 48)
        bytes.storeLittleEndian(UInt64(0), at: offset + 56)
        bytes[offset] = 0x2  // sequential write required
        bytes[offset + 1] = state.rawValue << 4
        bytes.storeLittleEndian(capacity, at: offset + 8)
        bytes.storeLittleEndian(start, at: offset + 16)
        let reported = state.isWritable ? writePointer : invalidWritePointer
        bytes.storeLittleEndian(reported, at: offset + 24)
    }

    /// Writes the header (the emulator's side of the format).
    static func writeHeader(descriptorCount: Int, into bytes: UnsafeMutableRawBufferPointer) {
        for offset in stride(from: 0, to: headerBytes, by: 8) { bytes.storeLittleEndian(UInt64(0), at: offset) }
        bytes.storeLittleEndian(UInt64(descriptorCount), at: 0)
    }
}
