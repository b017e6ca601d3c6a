/// Keeps recently read values in memory within a byte budget, evicting with SIEVE (Zhang et al.,
/// NSDI 2024): a FIFO queue with one "visited" bit per entry and a hand that sweeps from the
/// oldest entry, sparing (and clearing) visited ones. Hits only set a bit, so a hit never
/// reorders anything; one-hit wonders leave quickly and the hot set stays.
///
/// Entries are found by their log location (zone and offset), which the index hands out, so a
/// cached get hashes one integer rather than the key. A location's bytes never change until its
/// zone is reset, so the store removes a zone's entries before resetting it. Not thread-safe:
/// the store guards it.
final class ValueCache {
    /// Bytes of values the cache may hold.
    let budget: Int
    /// Bytes of values held now.
    private(set) var storedBytes = 0
    private(set) var hits = 0
    private(set) var misses = 0

    private struct Node {
        var location: UInt64
        var value: [UInt8]
        var visited: Bool
        /// Toward the newest entry.
        var newer: Int32
        /// Toward the oldest entry.
        var older: Int32
    }

    private var nodes: [Node] = []
    private var freeNodes: [Int32] = []
    private var slotByLocation = LocationTable()
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

    /// Whether a value just read from the device at `location` should be cached: yes if it was
    /// missed before (since the doorkeeper was last cleared).
    func admits(_ location: UInt64) -> Bool {
        guard !doorkeeper.isEmpty else { return false }
        let hash = (location &* 0x9E37_79B9_7F4A_7C15) >> 20
        let bit = Int(hash % UInt64(doorkeeper.count * 64))
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
    var count: Int { slotByLocation.count }

    /// The value stored at `location`, if cached.
    func value(at location: UInt64) -> [UInt8]? {
        guard let slot = slotByLocation.slot(for: location) else {
            misses &+= 1
            return nil
        }
        hits &+= 1
        nodes[Int(slot)].visited = true
        return nodes[Int(slot)].value
    }

    /// Caches `value` as the value at `location`, evicting as needed to stay within budget.
    func insert(_ value: [UInt8], at location: UInt64) {
        guard value.count <= budget / Self.largestShareOfBudget else {
            remove(at: location)  // never leave an older value behind for this location
            return
        }
        if let slot = slotByLocation.slot(for: location) {
            storedBytes += value.count - nodes[Int(slot)].value.count
            nodes[Int(slot)].value = value
        } else {
            let node = Node(location: location, value: value, visited: false, newer: -1, older: newest)
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
            slotByLocation.set(slot, for: location)
            storedBytes += value.count
        }
        while storedBytes > budget { evictOne() }
    }

    /// Forgets the value at `location` (it was overwritten, deleted or moved).
    func remove(at location: UInt64) {
        guard let slot = slotByLocation.slot(for: location) else { return }
        unlink(slot)
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
        slotByLocation.remove(node.location)
        nodes[Int(slot)].value = []
        freeNodes.append(slot)
    }
}
