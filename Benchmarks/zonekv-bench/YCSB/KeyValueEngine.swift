import ZoneKV

/// What the YCSB driver needs of a storage engine, so ZoneKV and its peers run the same
/// workload code.
protocol KeyValueEngine: Sendable {
    /// A name for reports, e.g. "zonekv".
    var name: String { get }
    func put(_ key: [UInt8], _ value: [UInt8]) throws
    func get(_ key: [UInt8]) throws -> [UInt8]?
    /// Reads up to `count` records from `start` on, in key order, keys and values copied out as
    /// a caller would receive them; returns how many there were.
    func scan(from start: [UInt8], count: Int) throws -> Int
    func close() throws
}

/// ZoneKV as a YCSB engine.
struct ZoneKVEngine: KeyValueEngine {
    let store: Store
    var name: String { "zonekv" }

    func put(_ key: [UInt8], _ value: [UInt8]) throws { try store.put(key, value) }
    func get(_ key: [UInt8]) throws -> [UInt8]? { try store.get(key) }
    func scan(from start: [UInt8], count: Int) throws -> Int { try store.scan(from: start, limit: count).count }
    func close() throws { try store.close() }
}
