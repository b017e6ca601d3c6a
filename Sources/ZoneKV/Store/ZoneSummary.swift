/// One zone as the store sees it: for `zonekv zones` and other tools.
public struct ZoneSummary: Hashable, Sendable {
    public enum Use: String, Hashable, Sendable {
        /// Empty, in the free pool.
        case free
        /// Taking user writes.
        case user
        /// Taking copies garbage collection makes.
        case relocation
        /// Holding checkpoints (or taking them).
        case checkpoint
        /// Written and closed for appends: a candidate for garbage collection.
        case sealed
        /// Being finished: no more appends.
        case draining
        /// Read-only, offline or failed: not used again.
        case unusable
    }

    public var zone: Int
    public var use: Use
    /// Bytes written (up to the write pointer), and the zone's writable capacity.
    public var writtenBytes: Int
    public var capacityBytes: Int
    /// Bytes of records the index points at (for checkpoint zones: 0).
    public var liveBytes: Int
    /// Written bytes no longer needed: what collecting the zone would reclaim.
    public var garbageBytes: Int { use == .checkpoint ? 0 : max(0, writtenBytes - liveBytes) }
}

/// What ``Store/check(progress:)`` found.
public struct CheckReport: Hashable, Sendable {
    /// Zones read, and the intact append units and records in them.
    public var zones = 0
    public var units = 0
    public var records = 0
    /// Blocks that held no intact unit: torn appends left by crashes (harmless) or damage.
    public var unreadableBlocks = 0
    /// Index entries whose records were read back and matched.
    public var keysChecked = 0
    /// Keys whose record could not be read back intact, with why (at most 100 listed).
    public var damagedKeys: [String] = []
    public var damagedKeyCount = 0
    /// Whether every key's record read back intact.
    public var isHealthy: Bool { damagedKeyCount == 0 }
}

/// How far ``Store/check(progress:)`` has got: a share of its work done, from 0 to 1.
public struct CheckProgress: Hashable, Sendable {
    public var phase: String
    public var fraction: Double
}
