/// The shape and limits of a zoned namespace, always read from the device, never assumed.
///
/// Zone sizes need not be powers of two, and a zone's writable capacity may be smaller than
/// its size: every conversion between addresses and zones divides, it never shifts or masks.
public struct DeviceGeometry: Hashable, Sendable {
    /// Bytes in one logical block (the LBA size).
    public var blockSize: Int
    /// Logical blocks in the namespace (NSZE).
    public var blockCount: UInt64
    /// Zones in the namespace.
    public var zoneCount: Int
    /// Logical blocks from one zone's start to the next (ZSZE).
    public var zoneSize: UInt64
    /// Writable logical blocks in each zone (ZCAP); at most `zoneSize`.
    public var zoneCapacity: UInt64
    /// The most zones that may be open at once, or `nil` when the device sets no limit (MOR + 1).
    public var maxOpenZones: Int?
    /// The most zones that may be open or closed at once, or `nil` for no limit (MAR + 1).
    public var maxActiveZones: Int?
    /// The largest Zone Append in bytes (ZASL).
    public var maxAppendBytes: Int
    /// The largest data transfer of one command in bytes (MDTS).
    public var maxTransferBytes: Int

    public init(
        blockSize: Int, blockCount: UInt64, zoneCount: Int, zoneSize: UInt64, zoneCapacity: UInt64,
        maxOpenZones: Int?, maxActiveZones: Int?, maxAppendBytes: Int, maxTransferBytes: Int
    ) {
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.zoneCount = zoneCount
        self.zoneSize = zoneSize
        self.zoneCapacity = zoneCapacity
        self.maxOpenZones = maxOpenZones
        self.maxActiveZones = maxActiveZones
        self.maxAppendBytes = maxAppendBytes
        self.maxTransferBytes = maxTransferBytes
    }

    /// Bytes from one zone's start to the next.
    public var zoneSizeBytes: UInt64 { zoneSize * UInt64(blockSize) }

    /// Writable bytes in one zone.
    public var zoneCapacityBytes: UInt64 { zoneCapacity * UInt64(blockSize) }

    /// Bytes in the whole namespace.
    public var capacityBytes: UInt64 { blockCount * UInt64(blockSize) }

    /// The largest Zone Append in logical blocks.
    public var maxAppendBlocks: Int { maxAppendBytes / blockSize }

    /// The largest transfer of one command in logical blocks.
    public var maxTransferBlocks: Int { maxTransferBytes / blockSize }

    /// Whether the zone size is a power of two (Linux's zoned block layer insists on it; ZoneKV does not).
    public var isZoneSizePowerOfTwo: Bool { zoneSize != 0 && zoneSize & (zoneSize - 1) == 0 }

    /// The zone that holds `address`.
    @inlinable
    public func zone(containing address: BlockAddress) -> ZoneID {
        ZoneID(Int(address.rawValue / zoneSize))
    }

    /// The first logical block of `zone` (ZSLBA).
    @inlinable
    public func startBlock(of zone: ZoneID) -> BlockAddress {
        BlockAddress(UInt64(zone.rawValue) * zoneSize)
    }

    /// The first logical block past the writable part of `zone`.
    @inlinable
    public func capacityEnd(of zone: ZoneID) -> BlockAddress {
        startBlock(of: zone).advanced(by: zoneCapacity)
    }

    /// Every zone of the namespace, in order.
    public var zones: [ZoneID] { (0..<zoneCount).map { ZoneID($0) } }

    /// Logical blocks needed to hold `byteCount` bytes.
    @inlinable
    public func blocks(forBytes byteCount: Int) -> Int {
        (byteCount + blockSize - 1) / blockSize
    }
}
