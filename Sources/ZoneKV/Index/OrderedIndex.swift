/// The in-memory index: every live key in byte order, each with where its latest record is.
///
/// Two levels, as a B+tree of height two: a directory of chunks in key order, and chunks that
/// each hold up to `chunkCapacity` packed entries sorted by key. Lookups are two binary
/// searches; inserts move at most one chunk's entries; a full chunk splits in two, except at
/// the end of the key space, where sequential loads start a fresh chunk and leave full ones
/// full. Keys live in a `KeyArena`. Not thread-safe: the store guards it.
final class OrderedIndex {
    static let chunkCapacity = 64
    /// Entries a chunk grows by when full (below `chunkCapacity`).
    static let growthStep = 8

    private final class Chunk {
        var entries: ContiguousArray<IndexEntry>
        /// Bytes every key of the chunk starts with (those of its first key); entries' hints are
        /// the three key bytes after them.
        var sharedPrefixLength = 0
        /// The shared prefix itself when it is at most 16 bytes (big-endian, zero padded), so
        /// a lookup need not fetch the first key from the arena to check it.
        var sharedPrefixHead = KeyHead()
        init(_ entries: ContiguousArray<IndexEntry> = []) {
            self.entries = entries
            self.entries.reserveCapacity(entries.count + OrderedIndex.growthStep)
        }

        /// Makes room for one more entry, growing by a small step rather than doubling: under
        /// random inserts chunks fill in step, and doubling would leave most of them half empty
        /// at once, up to twice the memory per key.
        func reserveForInsert() {
            guard entries.count == entries.capacity else { return }
            entries.reserveCapacity(min(OrderedIndex.chunkCapacity, entries.count + OrderedIndex.growthStep))
        }
    }

    private var chunks: [Chunk] = [Chunk()]
    /// The head (first sixteen bytes) of each chunk's first key: the directory search compares
    /// these in one contiguous array and follows a chunk's key into the arena only when they
    /// tie, saving several dependent cache misses per lookup. Sixteen bytes, because keys often
    /// share a long prefix ("user" and digits), and eight would tie near every target.
    private var firstKeyHeads: [KeyHead] = [KeyHead()]
    let keys = KeyArena()
    /// Live keys.
    private(set) var count = 0
    /// Bytes of the live keys themselves.
    private(set) var keyBytes = 0
    /// Changes made so far: a reader that saw this number unchanged knows every entry it
    /// looked up still stands, without looking again.
    private(set) var changes: UInt64 = 0

    // MARK: Lookup

    /// The entry for `key`, if the key is live.
    func entry(for key: [UInt8]) -> IndexEntry? {
        key.withUnsafeBytes { bytes in
            let chunk = chunks[chunkIndex(for: bytes)]
            let (position, found) = search(chunk, bytes)
            return found ? chunk.entries[position] : nil
        }
    }

    /// The last chunk whose first key is at most `key` (the first chunk if there is none).
    private func chunkIndex(for key: UnsafeRawBufferPointer) -> Int {
        let head = KeyHead(of: key)
        var low = 1
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            let firstHead = firstKeyHeads[middle]
            let isAtMostKey =
                firstHead != head ? firstHead < head : keys.compare(chunks[middle].entries[0].key, key) <= 0
            if isAtMostKey { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    /// Recomputes the directory head of chunk `index` after its first key changed.
    private func refreshHead(of index: Int) {
        let chunk = chunks[index]
        firstKeyHeads[index] = chunk.entries.isEmpty ? KeyHead() : keys.withKey(chunk.entries[0].key) { KeyHead(of: $0) }
    }

    /// Where `key` is or would go in `chunk`, and whether it is there.
    ///
    /// A key without the chunk's shared prefix goes before or after all of it; otherwise the
    /// binary search compares key hints, and only a tie follows a key into the arena.
    private func search(_ chunk: Chunk, _ key: UnsafeRawBufferPointer) -> (Int, Bool) {
        guard let first = chunk.entries.first else { return (0, false) }
        let shared = chunk.sharedPrefixLength
        if shared > 0 {
            let order: Int
            if shared <= 16 {
                let head = KeyHead(of: key, count: shared)
                if head != chunk.sharedPrefixHead {
                    order = head < chunk.sharedPrefixHead ? -1 : 1
                } else {
                    order = key.count < shared ? -1 : 0
                }
            } else {
                order = keys.withKey(first.key) { firstKey in
                    compareBytes(
                        UnsafeRawBufferPointer(rebasing: key[0..<min(shared, key.count)]),
                        UnsafeRawBufferPointer(rebasing: firstKey[0..<shared]))
                }
            }
            if order < 0 { return (0, false) }
            if order > 0 { return (chunk.entries.count, false) }
        }
        let target = OrderedIndex.hint(of: key, after: shared)
        var low = 0
        var high = chunk.entries.count
        while low < high {
            let middle = (low + high) / 2
            let hint = chunk.entries[middle].hint
            let order = hint != target ? (hint < target ? -1 : 1) : keys.compare(chunk.entries[middle].key, key)
            if order == 0 { return (middle, true) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }

    /// The three bytes of `key` after its first `shared` bytes, big-endian, zero padded. Among
    /// keys with the same first `shared` bytes, different hints order keys as their bytes do.
    @inline(__always)
    static func hint(of key: UnsafeRawBufferPointer, after shared: Int) -> UInt32 {
        var hint: UInt32 = 0
        for index in 0..<3 where shared + index < key.count {
            hint |= UInt32(key[shared + index]) << (16 - 8 * index)
        }
        return hint
    }

    /// Recomputes a chunk's shared prefix (that of its first and last keys) and every hint.
    private func rehint(_ chunk: Chunk) {
        guard let first = chunk.entries.first, let last = chunk.entries.last else {
            chunk.sharedPrefixLength = 0
            chunk.sharedPrefixHead = KeyHead()
            return
        }
        let shared = keys.withKey(first.key) { firstKey in
            keys.withKey(last.key) { lastKey in commonPrefixLength(firstKey, lastKey) }
        }
        chunk.sharedPrefixLength = shared
        chunk.sharedPrefixHead = keys.withKey(first.key) { KeyHead(of: $0, count: shared) }
        for position in chunk.entries.indices {
            let hint = keys.withKey(chunk.entries[position].key) { OrderedIndex.hint(of: $0, after: shared) }
            chunk.entries[position] = chunk.entries[position].withHint(hint)
        }
    }

    // MARK: Changes

    /// Points `key` at a new record and returns the entry it replaces, if any.
    @discardableResult
    func update(_ key: [UInt8], to location: RecordLocation, sequence: UInt64) -> IndexEntry? {
        changes &+= 1
        return key.withUnsafeBytes { bytes in
            let index = chunkIndex(for: bytes)
            let chunk = chunks[index]
            let (position, found) = search(chunk, bytes)
            if found {
                let previous = chunk.entries[position]
                chunk.entries[position] = previous.moved(to: location, sequence: sequence)
                return previous
            }
            let entry = IndexEntry(key: keys.store(bytes), location: location, sequence: sequence)
            insert(entry, key: bytes, at: position, in: index)
            count += 1
            keyBytes += bytes.count
            return nil
        }
    }

    private func insert(_ entry: IndexEntry, key: UnsafeRawBufferPointer, at position: Int, in index: Int) {
        let chunk = chunks[index]
        guard chunk.entries.count == OrderedIndex.chunkCapacity else {
            chunk.reserveForInsert()
            // A key inside the chunk's range shares its prefix; one at either end may not.
            var keepsPrefix = !chunk.entries.isEmpty
            if keepsPrefix && (position == 0 || position == chunk.entries.count) {
                keepsPrefix = keys.withKey(chunk.entries[0].key) { commonPrefixLength($0, key) } >= chunk.sharedPrefixLength
            }
            chunk.entries.insert(entry.withHint(OrderedIndex.hint(of: key, after: chunk.sharedPrefixLength)), at: position)
            if !keepsPrefix { rehint(chunk) }
            if position == 0 { refreshHead(of: index) }
            return
        }
        if position == chunk.entries.count && index == chunks.count - 1 {
            // Appending past the last key: start a new chunk and keep this one full.
            let fresh = Chunk([entry])
            rehint(fresh)
            chunks.append(fresh)
            firstKeyHeads.append(KeyHead())
            refreshHead(of: chunks.count - 1)
            return
        }
        let half = chunk.entries.count / 2
        let upper = Chunk(ContiguousArray(chunk.entries[half...]))
        chunk.entries.removeSubrange(half...)
        chunks.insert(upper, at: index + 1)
        firstKeyHeads.insert(KeyHead(), at: index + 1)
        if position <= half {
            chunk.entries.insert(entry, at: position)
        } else {
            upper.entries.insert(entry, at: position - half)
        }
        // The lower half keeps the full chunk's storage: give back what it no longer needs.
        chunk.entries = ContiguousArray(chunk.entries)
        chunk.entries.reserveCapacity(chunk.entries.count + OrderedIndex.growthStep)
        rehint(chunk)
        rehint(upper)
        refreshHead(of: index)
        refreshHead(of: index + 1)
    }

    /// Removes `key` and returns its entry, if it was live.
    @discardableResult
    func remove(_ key: [UInt8]) -> IndexEntry? {
        changes &+= 1
        return key.withUnsafeBytes { bytes in
            let index = chunkIndex(for: bytes)
            let chunk = chunks[index]
            let (position, found) = search(chunk, bytes)
            guard found else { return nil }
            let entry = chunk.entries.remove(at: position)
            if position == 0 { refreshHead(of: index) }
            keys.release(entry.key)
            count -= 1
            keyBytes -= bytes.count
            mergeIfSparse(index)
            return entry
        }
    }

    /// Folds a chunk that fell below a quarter full into a neighbour with room, so deletes do
    /// not leave memory behind.
    private func mergeIfSparse(_ index: Int) {
        let chunk = chunks[index]
        guard chunks.count > 1, chunk.entries.count < OrderedIndex.chunkCapacity / 4 else { return }
        if index > 0, chunks[index - 1].entries.count + chunk.entries.count <= OrderedIndex.chunkCapacity {
            chunks[index - 1].entries.append(contentsOf: chunk.entries)
            rehint(chunks[index - 1])
            chunks.remove(at: index)
            firstKeyHeads.remove(at: index)
        } else if index + 1 < chunks.count, chunks[index + 1].entries.count + chunk.entries.count <= OrderedIndex.chunkCapacity {
            chunk.entries.append(contentsOf: chunks[index + 1].entries)
            rehint(chunk)
            chunks.remove(at: index + 1)
            firstKeyHeads.remove(at: index + 1)
            refreshHead(of: index)
        } else if chunk.entries.isEmpty {
            chunks.remove(at: index)
            firstKeyHeads.remove(at: index)
        }
    }

    /// Points `key` at a relocated record only if it still points at `old` (garbage collection
    /// moved it meanwhile, and a newer write must win). Returns whether it did.
    func relocate(_ key: [UInt8], from old: RecordLocation, to new: RecordLocation) -> Bool {
        changes &+= 1
        return key.withUnsafeBytes { bytes in
            let chunk = chunks[chunkIndex(for: bytes)]
            let (position, found) = search(chunk, bytes)
            guard found, chunk.entries[position].location == old else { return false }
            chunk.entries[position] = chunk.entries[position].moved(to: new, sequence: chunk.entries[position].sequence)
            return true
        }
    }

    // MARK: Loading in key order

    /// Appends an entry for `key`, which must come after every key in the index: how a
    /// checkpoint is loaded, with no search per key. Returns `false`, changing nothing, when
    /// the key is out of order. Call `finishAppending()` before any other use.
    func appendInOrder(_ key: UnsafeRawBufferPointer, location: RecordLocation, sequence: UInt64) -> Bool {
        var last = chunks[chunks.count - 1]
        if let lastEntry = last.entries.last, keys.compare(lastEntry.key, key) >= 0 { return false }
        changes &+= 1
        if last.entries.count == OrderedIndex.chunkCapacity {
            rehint(last)
            last = Chunk()
            last.entries.reserveCapacity(OrderedIndex.chunkCapacity)
            chunks.append(last)
            firstKeyHeads.append(KeyHead(of: key))
        } else if last.entries.isEmpty {
            last.entries.reserveCapacity(OrderedIndex.chunkCapacity)
            firstKeyHeads[chunks.count - 1] = KeyHead(of: key)
        }
        last.entries.append(IndexEntry(key: keys.store(key), location: location, sequence: sequence))
        count += 1
        keyBytes += key.count
        return true
    }

    /// Computes the hints of the chunk `appendInOrder` filled last.
    func finishAppending() {
        rehint(chunks[chunks.count - 1])
    }

    /// The entries, chunk by chunk, without copying them (each array is copy-on-write).
    var entryChunks: [ContiguousArray<IndexEntry>] { chunks.map(\.entries) }

    // MARK: Ordered iteration

    /// Calls `body` with each live key from `start` (inclusive; the first key if `nil`) up to
    /// `end` (exclusive; no end if `nil`) in byte order, while it returns `true`.
    func forEach(from start: [UInt8]? = nil, upTo end: [UInt8]? = nil, _ body: (UnsafeRawBufferPointer, IndexEntry) -> Bool) {
        var chunkPosition = 0
        var entryPosition = 0
        if let start {
            start.withUnsafeBytes { bytes in
                chunkPosition = chunkIndex(for: bytes)
                entryPosition = search(chunks[chunkPosition], bytes).0
            }
        }
        while chunkPosition < chunks.count {
            let chunk = chunks[chunkPosition]
            while entryPosition < chunk.entries.count {
                let entry = chunk.entries[entryPosition]
                let keepGoing = keys.withKey(entry.key) { key -> Bool in
                    if let end, end.withUnsafeBytes({ compareBytes(key, $0) }) >= 0 { return false }
                    return body(key, entry)
                }
                guard keepGoing else { return }
                entryPosition += 1
            }
            chunkPosition += 1
            entryPosition = 0
        }
    }

    // MARK: Memory

    /// Bytes the index holds: chunk storage (by actual capacity, with array and object
    /// headers), the directory and the key arena.
    var memoryBytes: Int {
        var total = chunks.capacity * MemoryLayout<Chunk>.stride + firstKeyHeads.capacity * MemoryLayout<KeyHead>.stride + keys.allocatedBytes
        for chunk in chunks { total += chunk.entries.capacity * MemoryLayout<IndexEntry>.stride + 32 + 48 }
        return total
    }
}
