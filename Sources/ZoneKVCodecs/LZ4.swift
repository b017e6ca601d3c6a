import CLZ4

/// LZ4 block compression (liblz4), used for values when it saves space.
public enum LZ4 {
    /// The largest output `compress` can produce for `count` input bytes.
    public static func maxCompressedBytes(forInputBytes count: Int) -> Int {
        Int(LZ4_compressBound(Int32(clamping: count)))
    }

    /// Compresses `source` into `destination` and returns the compressed size, or `nil` when the
    /// result would not fit (so the caller stores the value uncompressed).
    public static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int? {
        guard source.count > 0, source.count <= Int(Int32.max) else { return nil }
        let written = LZ4_compress_default(
            source.baseAddress!.assumingMemoryBound(to: CChar.self), destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(clamping: destination.count))
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses `source`, which must expand to exactly `destination.count` bytes.
    ///
    /// - Returns: `false` if the data is damaged or does not expand to that size.
    public static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        guard source.count > 0, destination.count > 0 else { return source.count == 0 && destination.count == 0 }
        let produced = LZ4_decompress_safe(
            source.baseAddress!.assumingMemoryBound(to: CChar.self), destination.baseAddress!.assumingMemoryBound(to: CChar.self),
            Int32(clamping: source.count), Int32(clamping: destination.count))
        return Int(produced) == destination.count
    }

    /// Compresses a byte array; `nil` if compression would not make it smaller.
    public static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: maxCompressedBytes(forInputBytes: bytes.count))
        let count = bytes.withUnsafeBytes { source in output.withUnsafeMutableBytes { compress(source, into: $0) } }
        guard let count, count < bytes.count else { return nil }
        return Array(output[..<count])
    }

    /// Decompresses a byte array to `originalCount` bytes; `nil` if the data is damaged.
    public static func decompress(_ bytes: [UInt8], originalCount: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: originalCount)
        let intact = bytes.withUnsafeBytes { source in output.withUnsafeMutableBytes { decompress(source, into: $0) } }
        return intact ? output : nil
    }
}
