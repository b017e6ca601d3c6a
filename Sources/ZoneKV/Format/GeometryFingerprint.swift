import ZoneKVDevice

/// The device geometry a store's locations depend on. A store opened on a device whose geometry
/// differs (a namespace reformatted with another zone size, another device) would read its
/// records at the wrong places, so opening it fails instead.
///
/// Stored in the store header after the generation: u32 block size, u64 zone size and u64 zone
/// capacity (in blocks), u32 zone count, all little-endian.
struct GeometryFingerprint: Hashable, Sendable, CustomStringConvertible {
    static let storedBytes = 24

    var blockSize: UInt32
    var zoneSize: UInt64
    var zoneCapacity: UInt64
    var zoneCount: UInt32

    init(_ geometry: DeviceGeometry) {
        blockSize = UInt32(geometry.blockSize)
        zoneSize = geometry.zoneSize
        zoneCapacity = geometry.zoneCapacity
        zoneCount = UInt32(geometry.zoneCount)
    }

    /// Reads a stored fingerprint, or `nil` if `bytes` is too short to hold one.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.storedBytes else { return nil }
        blockSize = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        zoneSize = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        zoneCapacity = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
        zoneCount = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
    }

    func append(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: blockSize.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: zoneSize.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: zoneCapacity.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: zoneCount.littleEndian) { bytes.append(contentsOf: $0) }
    }

    var description: String {
        "\(zoneCount) zones of \(zoneSize) blocks (\(zoneCapacity) writable), \(blockSize)-byte blocks"
    }
}
