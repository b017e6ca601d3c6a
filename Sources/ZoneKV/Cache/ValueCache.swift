/// Keeps recently read values in memory within a byte budget, evicting with SIEVE (Zhang et al.,
/// NSDI 2024): a FIFO queue with one "visited" bit per entry and a hand that sweeps from the
/// oldest entry, sparing (and clearing) visited ones. Hits only set a bit, so a hit never
/// reorders anything; one-hit wonders leave quickly and the hot set stays.
///
/// Entries are found by key (a 64-bit hash into a flat table, then a comparison of the key
/// bytes), so a cached get never touches the index: a handful of memory accesses instead of a
/// walk through directory, chunk and key arena. The store replaces or removes a key's entry
/// whenever a write to the key takes effect, under the same lock, so an entry is never stale.
/// Not thread-safe: the store guards it.
final class ValueCache {
    /// Bytes of values the cache may hold.
    let budget: Int
    /// Bytes of values held now.
    private(set) var storedBytes = 0
    private(set) var hits = 0
    private(set) var misses = 0

    private struct Node {
        var key: [UInt8]
        var hash: UInt64
        var value: [UInt8]
        var visited: Bool
        /// Toward the newest entry.
        var newer: Int32
        /// Toward the oldest entry.
        var older: Int32
    }

    private var nodes: [Node] = []
    private var freeNodes: [Int32] = []
    private var slotByHash = SlotTable()
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    /// The SIEVE hand: the next candidate for eviction, moving from old to new.
    private var hand: Int32 = -1

    /// A value bigger than this fraction of the budget is not cached: it would evict too much.
    private static let largestShareOfBudget = 8

    /// The doorkeeper (as in TinyLFU): one bit per hashed location, set on a value's first read
    /// miss. A value read from the device is cached only on a later miss, once its bit is set,
    /// so values read once do not push out ones read again and again. Cleared when half full.
    private var doorkeeper: [UInt64]
    private var doorkeeperBitsSet = 0

    init(budget: Int) {
        precondition(budget >= 0, "a cache budget cannot be negative")
        self.budget = budget
        // About one bit per 64 bytes of budget: several bits per value the cache can hold.
        let words = budget == 0 ? 0 : max(64, min(1 << 20, budget / 4096))
        doorkeeper = Array(repeating: 0, count: words)
    }

    /// Whether a value just read from the device for `key` should be cached: yes if it was
    /// missed before (since the doorkeeper was last cleared).
    func admits(_ key: UnsafeRawBufferPointer) -> Bool {
        guard !doorkeeper.isEmpty else { return false }
        let bit = Int(KeyHash.of(key) % UInt64(doorkeeper.count * 64))
        let (word, mask) = (bit / 64, UInt64(1) << UInt64(bit % 64))
        if doorkeeper[word] & mask != 0 { return true }
        doorkeeper[word] |= mask
        doorkeeperBitsSet += 1
        if doorkeeperBitsSet > doorkeeper.count * 32 {
            for index in doorkeeper.indices { doorkeeper[index] = 0 }
            doorkeeperBitsSet = 0
        }
        return false
    }

    /// Entries held now.
    var count: Int { slotByHash.count }

    /// The slot holding `key`, if cached.
    @inline(__always)
    private func slot(of key: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        guard let slot = slotByHash.slot(for: hash) else { return nil }
        let matches = nodes[Int(slot)].key.withUnsafeBytes { compareBytes($0, key) == 0 }
        return matches ? slot : nil
    }

    /// The cached value of `key`, if any.
    func value(forKey key: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let slot = slot(of: key, hash: KeyHash.of(key)) else {
            misses &+= 1
            return nil
        }
        hits &+= 1
        nodes[Int(slot)].visited = true
        return nodes[Int(slot)].value
    }

    /// The cached value of `key`, if any.
    func value(forKey key: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { value(forKey: $0) }
    }

    /// Caches `value` as the value of `key`, evicting as needed to stay within budget.
    func insert(_ value: [UInt8], forKey key: [UInt8]) {
        guard value.count <= budget / Self.largestShareOfBudget else {
            remove(forKey: key)  // never leave an older value behind for this key
            return
        }
        let hash = key.withUnsafeBytes { KeyHash.of($0) }
        if let slot = slotByHash.slot(for: hash) {
            if nodes[Int(slot)].key == key {
                replaceValue(in: slot, with: value)
                return
            }
            unlink(slot)  // another key with the same hash: it gives way
        }
        let node = Node(key: key, hash: hash, value: value, visited: false, newer: -1, older: newest)
        let slot: Int32
        if let reused = freeNodes.popLast() {
            slot = reused
            nodes[Int(slot)] = node
        } else {
            slot = Int32(nodes.count)
            nodes.append(node)
        }
        if newest >= 0 { nodes[Int(newest)].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
        slotByHash.set(slot, for: hash)
        storedBytes += value.count
        while storedBytes > budget { evictOne() }
    }

    /// Caches `value` for a key just written: replaces the key's cached value, and admits a key
    /// not cached only while the cache has room for it without evicting. A cache with room
    /// loses nothing by taking it (a store smaller than its cache keeps every value in memory);
    /// a full one would spend an eviction on each write of values that may never be read.
    func insertWritten(_ value: [UInt8], forKey key: [UInt8]) {
        let slot = key.withUnsafeBytes { bytes in self.slot(of: bytes, hash: KeyHash.of(bytes)) }
        guard let slot else {
            if storedBytes + value.count <= budget { insert(value, forKey: key) }
            return
        }
        guard value.count <= budget / Self.largestShareOfBudget else {
            unlink(slot)
            return
        }
        replaceValue(in: slot, with: value)
    }

    /// Gives a cached key a new value (within the share of the budget one value may take).
    private func replaceValue(in slot: Int32, with value: [UInt8]) {
        storedBytes += value.count - nodes[Int(slot)].value.count
        nodes[Int(slot)].value = value
        while storedBytes > budget { evictOne() }
    }

    /// Forgets the value of `key` (it was overwritten or deleted).
    func remove(forKey key: [UInt8]) {
        key.withUnsafeBytes { bytes in
            if let slot = slot(of: bytes, hash: KeyHash.of(bytes)) { unlink(slot) }
        }
    }

    private func evictOne() {
        var candidate = hand >= 0 ? hand : oldest
        while nodes[Int(candidate)].visited {
            nodes[Int(candidate)].visited = false
            candidate = nodes[Int(candidate)].newer >= 0 ? nodes[Int(candidate)].newer : oldest
        }
        hand = nodes[Int(candidate)].newer
        unlink(candidate)
    }

    private func unlink(_ slot: Int32) {
        let node = nodes[Int(slot)]
        if hand == slot { hand = node.newer }
        if node.newer >= 0 { nodes[Int(node.newer)].older = node.older } else { newest = node.older }
        if node.older >= 0 { nodes[Int(node.older)].newer = node.newer } else { oldest = node.newer }
        storedBytes -= node.value.count
        slotByHash.remove(node.hash)
        nodes[Int(slot)].value = []
        nodes[Int(slot)].key = []
        freeNodes.append(slot)
    }
}
