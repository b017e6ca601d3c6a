import CChecksum

/// CRC32C (Castagnoli), computed with the CPU's CRC32 instruction where there is one.
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `initial` (0 to start).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing initial: UInt32 = 0) -> UInt32 {
        compute(bytes, initial)
    }

    /// The checksum of a byte array.
    public static func checksum(_ bytes: [UInt8], continuing initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { compute($0, initial) }
    }

    /// The checksum by the portable, table-driven method (for checking the accelerated one).
    public static func portableChecksum(_ bytes: [UInt8], continuing initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { zonekv_crc32c_portable(initial, $0.baseAddress, $0.count) }
    }

    /// Whether `checksum` uses the CPU instruction on this machine.
    public static var isHardwareAccelerated: Bool { zonekv_crc32c_is_hardware_accelerated() }

    @usableFromInline
    static func compute(_ bytes: UnsafeRawBufferPointer, _ initial: UInt32) -> UInt32 {
        zonekv_crc32c(initial, bytes.baseAddress, bytes.count)
    }
}
