/// The layout of an append unit, the self-describing piece of log that one Zone Append writes.
/// FORMAT.md at the repository root documents it for people; this is its definition in code.
///
/// ```
/// unit header (32 bytes)                     record header (16 bytes)
///  0  u32 magic "ZKVU"                        0  u8  type (RecordType)
///  4  u8  format version (1)                  1  u8  flags (RecordFlags)
///  5  u8  stream (WriteStream)                2  u16 key length
///  6  u16 header bytes (32)                   4  u32 stored value length
///  8  u64 unit sequence number                8  u64 sequence number
/// 16  u32 payload bytes (records)            16  key bytes, then value bytes
/// 20  u32 record count
/// 24  u32 CRC32C of header (this field 0) and payload
/// 28  u32 store tag (StoreIdentity)
/// ```
/// All integers are little-endian. A unit is padded with zeros to a whole number of blocks.
enum AppendUnitFormat {
    static let magic: UInt32 = 0x5556_4B5A  // bytes "ZKVU"
    static let version: UInt8 = 1
    static let headerBytes = 32
    static let recordHeaderBytes = 16
    /// The largest key, in bytes.
    static let maxKeyBytes = 4096
    /// A compressed value starts with its original length (u32), then the LZ4 block.
    static let compressedPrefixBytes = 4

    enum HeaderField {
        static let magic = 0
        static let version = 4
        static let stream = 5
        static let headerBytes = 6
        static let sequence = 8
        static let payloadBytes = 16
        static let recordCount = 20
        static let checksum = 24
        static let storeTag = 28
    }

    enum RecordField {
        static let type = 0
        static let flags = 1
        static let keyLength = 2
        static let valueLength = 4
        static let sequence = 8
    }

    /// Bytes a record with this key and stored value takes in a unit.
    static func recordBytes(keyCount: Int, valueCount: Int) -> Int {
        recordHeaderBytes + keyCount + valueCount
    }
}
