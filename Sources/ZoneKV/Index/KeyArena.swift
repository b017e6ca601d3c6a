/// Where the index keeps key bytes: large pages filled one after another, each key stored
/// as a 2-byte length and its bytes, found again by a `KeyReference`.
///
/// Keys of removed entries stay until the arena is rebuilt (their bytes are counted as dead),
/// which keeps an insert to a single copy. The only unsafe memory of the index lives here.
final class KeyArena {
    static let pageBytes = 256 << 10

    private var pages: [UnsafeMutableRawPointer] = []
    private var used = KeyArena.pageBytes  // forces a first page
    /// Bytes of keys no entry refers to any more.
    private(set) var deadBytes = 0

    deinit {
        for page in pages { page.deallocate() }
    }

    /// Bytes the arena has allocated.
    var allocatedBytes: Int { pages.count * KeyArena.pageBytes }

    /// Copies `key` into the arena.
    func store(_ key: UnsafeRawBufferPointer) -> KeyReference {
        precondition(key.count <= Int(UInt16.max), "keys are at most 65535 bytes")
        let needed = 2 + key.count
        if used + needed > KeyArena.pageBytes {
            pages.append(.allocate(byteCount: KeyArena.pageBytes, alignment: 16))
            used = 0
        }
        let page = pages[pages.count - 1]
        page.storeBytes(of: UInt16(key.count), toByteOffset: used, as: UInt16.self)
        if key.count > 0 { (page + used + 2).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        let reference = KeyReference(page: pages.count - 1, offset: used)
        used += needed
        return reference
    }

    /// Calls `body` with the key's bytes.
    @inline(__always)
    func withKey<Result>(_ reference: KeyReference, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let start = pages[reference.page] + reference.offset
        let count = Int(start.loadUnaligned(as: UInt16.self))
        return try body(UnsafeRawBufferPointer(start: start + 2, count: count))
    }

    /// Orders a stored key against `other` as bytes: negative, zero or positive.
    @inline(__always)
    func compare(_ reference: KeyReference, _ other: UnsafeRawBufferPointer) -> Int {
        withKey(reference) { compareBytes($0, other) }
    }

    /// Notes that no entry refers to the key any more.
    func release(_ reference: KeyReference) {
        deadBytes += 2 + withKey(reference) { $0.count }
    }
}

/// Byte-wise order of two keys (memcmp, then length).
@inline(__always)
func compareBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
    let common = min(left.count, right.count)
    if common > 0 {
        let order = memcmp(left.baseAddress!, right.baseAddress!, common)
        if order != 0 { return Int(order) }
    }
    return left.count - right.count
}

/// How many leading bytes two keys share.
@inline(__always)
func commonPrefixLength(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
    let limit = min(left.count, right.count)
    var length = 0
    while length + 8 <= limit,
        left.loadUnaligned(fromByteOffset: length, as: UInt64.self) == right.loadUnaligned(fromByteOffset: length, as: UInt64.self)
    {
        length += 8
    }
    while length < limit && left[length] == right[length] { length += 1 }
    return length
}

#if canImport(Glibc)
import Glibc
#endif

/// A key's place in the `KeyArena`: page and offset, 44 bits of an index entry.
struct KeyReference: Hashable {
    let page: Int
    let offset: Int
}
