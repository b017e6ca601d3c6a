/// A key's first (up to) sixteen bytes as two big-endian numbers, zero padded: where two heads
/// differ, they order their keys as the bytes do; where they are equal, only the whole keys can.
struct KeyHead: Comparable {
    var high: UInt64 = 0
    var low: UInt64 = 0

    init() {}

    /// The head of `key`'s first `count` bytes (at most sixteen).
    @inline(__always)
    init(of key: UnsafeRawBufferPointer, count: Int = 16) {
        let count = min(count, key.count, 16)
        if count == 16 {
            high = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            low = UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            return
        }
        for index in 0..<count {
            if index < 8 {
                high |= UInt64(key[index]) << (56 - 8 * index)
            } else {
                low |= UInt64(key[index]) << (56 - 8 * (index - 8))
            }
        }
    }

    @inline(__always)
    static func < (left: KeyHead, right: KeyHead) -> Bool {
        left.high != right.high ? left.high < right.high : left.low < right.low
    }
}
