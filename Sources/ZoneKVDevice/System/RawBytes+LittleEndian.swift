// Little-endian field access for device data structures (Identify, Report Zones, the
// emulator's file header), which are byte-aligned and little-endian by specification.

extension UnsafeRawBufferPointer {
    func loadLittleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension UnsafeMutableRawBufferPointer {
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
    func loadLittleEndianUInt64(at offset: Int) -> UInt64 {
        UnsafeRawBufferPointer(self).loadLittleEndianUInt64(at: offset)
    }
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        UnsafeRawBufferPointer(self).loadLittleEndianUInt32(at: offset)
    }
}
