/// A fast 64-bit hash of key bytes (multiply-xorshift over 8-byte words), for the value cache's
/// table and doorkeeper. Not for untrusted adversaries choosing colliding keys: a collision only
/// costs a cache miss, as the cache compares keys.
enum KeyHash {
    @inline(__always)
    static func of(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var offset = 0
        while offset + 8 <= key.count {
            hash = (hash ^ key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            offset += 8
        }
        if offset < key.count {
            var tail: UInt64 = 0
            for index in offset..<key.count { tail |= UInt64(key[index]) << (8 * UInt64(index - offset)) }
            hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        }
        hash ^= hash >> 29
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 32)
    }
}
