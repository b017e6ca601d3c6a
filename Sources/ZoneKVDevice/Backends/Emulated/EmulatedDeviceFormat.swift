/// The layout of an emulated device file.
///
/// ```
/// offset 0          header (one 4 KiB page): magic, version, geometry, last-write record
/// offset 4096       zone table: one 32-byte entry per zone (state, write pointer, durable write pointer)
/// dataOffset        zone data: zoneCount × zoneSize blocks, sparse until written
/// ```
/// The header and zone table are memory-mapped shared, so zone state changes reach the file
/// (and survive the process being killed) without a system call each.
enum EmulatedDeviceFormat {
    static let magic: UInt64 = 0x4D45_5F56_4B45_4E5A  // "ZNEKV_EM" little-endian
    static let version: UInt32 = 1
    static let headerBytes = 4096
    static let zoneEntryBytes = 32
    static let dataAlignment: UInt64 = 1 << 20

    enum HeaderField {
        static let magic = 0
        static let version = 8
        static let blockSize = 12
        static let zoneSize = 16
        static let zoneCapacity = 24
        static let zoneCount = 32
        static let maxOpenZones = 36
        static let maxActiveZones = 40
        static let maxAppendBytes = 44
        static let maxTransferBytes = 48
        static let dataOffset = 56
        // The most recent write or append, for simulating a torn write at power loss.
        static let lastWriteZone = 64
        static let lastWriteBlocks = 68
        static let lastWriteStart = 72
    }

    enum ZoneField {
        static let state = 0
        static let writePointer = 8  // blocks written, relative to the zone start
        static let durableWritePointer = 16  // blocks known durable (as of the last flush)
    }

    /// Bytes of header plus zone table, rounded up to a page.
    static func metadataBytes(zoneCount: Int) -> Int {
        let raw = headerBytes + zoneCount * zoneEntryBytes
        return (raw + 4095) / 4096 * 4096
    }

    static func dataOffset(zoneCount: Int) -> UInt64 {
        let raw = UInt64(metadataBytes(zoneCount: zoneCount))
        return (raw + dataAlignment - 1) / dataAlignment * dataAlignment
    }
}
