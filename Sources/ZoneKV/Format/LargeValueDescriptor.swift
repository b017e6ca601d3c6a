/// The stored value of a put whose value was too large for one append unit: where its chunks
/// are, in order. Written after every chunk's append completed (Zone Append picks the
/// addresses), so a descriptor only ever names chunks that are on the device.
///
/// ```
///  0  u64 value bytes (the whole value)
///  8  u32 chunk count
/// 12  u32 reserved (0)
/// 16  per chunk (16 bytes): u32 zone, u32 chunk bytes, u64 byte offset of the chunk's value in the zone
/// ```
struct LargeValueDescriptor: Hashable, Sendable {
    struct Chunk: Hashable, Sendable {
        var zone: Int
        var offset: UInt64
        var byteCount: Int
    }

    var valueBytes: Int
    var chunks: [Chunk]

    static let headerBytes = 16
    static let chunkBytes = 16

    /// Bytes of a descriptor with `chunkCount` chunks.
    static func encodedBytes(chunkCount: Int) -> Int { headerBytes + chunkCount * chunkBytes }

    var encoded: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.encodedBytes(chunkCount: chunks.count))
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(valueBytes).littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: UInt32(chunks.count).littleEndian, toByteOffset: 8, as: UInt32.self)
            for (index, chunk) in chunks.enumerated() {
                let base = Self.headerBytes + index * Self.chunkBytes
                raw.storeBytes(of: UInt32(chunk.zone).littleEndian, toByteOffset: base, as: UInt32.self)
                raw.storeBytes(of: UInt32(chunk.byteCount).littleEndian, toByteOffset: base + 4, as: UInt32.self)
                raw.storeBytes(of: chunk.offset.littleEndian, toByteOffset: base + 8, as: UInt64.self)
            }
        }
        return bytes
    }

    /// Decodes a descriptor, or returns `nil` if the bytes are not a consistent one.
    init?(decoding bytes: [UInt8]) {
        guard bytes.count >= Self.headerBytes else { return nil }
        let parsed: (Int, [Chunk])? = bytes.withUnsafeBytes { raw in
            func load<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            let valueBytes = load(0, UInt64.self)
            let count = Int(load(8, UInt32.self))
            guard bytes.count == Self.encodedBytes(chunkCount: count), valueBytes <= UInt64(Int.max) else { return nil }
            var chunks: [Chunk] = []
            chunks.reserveCapacity(count)
            var total = 0
            for index in 0..<count {
                let base = Self.headerBytes + index * Self.chunkBytes
                let chunk = Chunk(
                    zone: Int(load(base, UInt32.self)), offset: load(base + 8, UInt64.self), byteCount: Int(load(base + 4, UInt32.self)))
                total += chunk.byteCount
                chunks.append(chunk)
            }
            guard total == Int(valueBytes) else { return nil }
            return (Int(valueBytes), chunks)
        }
        guard let parsed else { return nil }
        self.valueBytes = parsed.0
        self.chunks = parsed.1
    }

    init(valueBytes: Int, chunks: [Chunk]) {
        self.valueBytes = valueBytes
        self.chunks = chunks
    }
}
