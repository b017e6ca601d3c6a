/// The geometry of a new emulated device, chosen when its file is created.
///
/// The default is deliberately awkward, as real ZNS drives are: a zone size that is not a power
/// of two and a writable capacity below it.
public struct EmulatedGeometry: Hashable, Sendable {
    /// Bytes per logical block: 512 or 4096.
    public var blockSize: Int = 4096
    /// Bytes per zone.
    public var zoneSizeBytes: UInt64 = 96 << 20
    /// Writable bytes per zone; at most `zoneSizeBytes`.
    public var zoneCapacityBytes: UInt64 = 80 << 20
    /// Zones on the device.
    public var zoneCount: Int = 16
    /// Max open zones, or `nil` for no limit.
    public var maxOpenZones: Int? = 14
    /// Max active zones, or `nil` for no limit.
    public var maxActiveZones: Int? = 14
    /// The Zone Append size limit in bytes (ZASL).
    public var maxAppendBytes: Int = 128 << 10
    /// The largest transfer of one command in bytes (MDTS).
    public var maxTransferBytes: Int = 512 << 10

    public init() {}

    /// Checks that the geometry describes a device that can exist.
    public func validate() throws(DeviceError) {
        func fail(_ message: String) -> DeviceError { DeviceError(.invalidArgument, message) }
        guard blockSize == 512 || blockSize == 4096 else {
            throw fail("block size must be 512 or 4096 bytes, not \(blockSize)")
        }
        guard zoneSizeBytes > 0, zoneSizeBytes % UInt64(blockSize) == 0 else {
            throw fail("zone size (\(zoneSizeBytes) bytes) must be a positive multiple of the \(blockSize)-byte block size")
        }
        guard zoneCapacityBytes > 0, zoneCapacityBytes % UInt64(blockSize) == 0, zoneCapacityBytes <= zoneSizeBytes else {
            throw fail("zone capacity (\(zoneCapacityBytes) bytes) must be a positive multiple of the block size and at most the zone size (\(zoneSizeBytes) bytes)")
        }
        guard zoneCount > 0, zoneCount <= 1 << 20 else { throw fail("zone count must be between 1 and 1048576, not \(zoneCount)") }
        guard zoneSizeBytes <= 1 << 40, zoneSizeBytes * UInt64(zoneCount) <= 1 << 50 else {
            throw fail("a device of \(zoneCount) zones of \(zoneSizeBytes) bytes is larger than the 1 PiB an emulated device may be")
        }
        if let maxActiveZones, maxActiveZones < 1 { throw fail("max active zones must be at least 1") }
        if let maxOpenZones {
            guard maxOpenZones >= 1 else { throw fail("max open zones must be at least 1") }
            if let maxActiveZones, maxOpenZones > maxActiveZones {
                throw fail("max open zones (\(maxOpenZones)) cannot exceed max active zones (\(maxActiveZones))")
            }
        }
        guard maxTransferBytes >= blockSize, maxTransferBytes % blockSize == 0, maxTransferBytes <= 64 << 20 else {
            throw fail("max transfer (\(maxTransferBytes) bytes) must be a multiple of the block size, up to 64 MiB")
        }
        guard maxAppendBytes >= blockSize, maxAppendBytes % blockSize == 0, maxAppendBytes <= maxTransferBytes else {
            throw fail("append limit (\(maxAppendBytes) bytes) must be a multiple of the block size and at most the max transfer (\(maxTransferBytes) bytes)")
        }
        guard maxTransferBytes / blockSize <= 1 << 16 else {
            throw fail("max transfer (\(maxTransferBytes) bytes) exceeds 65536 blocks, the most one NVMe command can carry")
        }
    }

    /// The device geometry this creates.
    var deviceGeometry: DeviceGeometry {
        let zoneBlocks = zoneSizeBytes / UInt64(blockSize)
        return DeviceGeometry(
            blockSize: blockSize, blockCount: zoneBlocks * UInt64(zoneCount), zoneCount: zoneCount,
            zoneSize: zoneBlocks, zoneCapacity: zoneCapacityBytes / UInt64(blockSize),
            maxOpenZones: maxOpenZones, maxActiveZones: maxActiveZones,
            maxAppendBytes: maxAppendBytes, maxTransferBytes: maxTransferBytes)
    }
}
