import PeerEngines

/// RocksDB as a YCSB engine.
struct RocksDBEngine: KeyValueEngine {
    let store: RocksDBStore
    var name: String { "rocksdb" }

    func put(_ key: [UInt8], _ value: [UInt8]) throws { try store.put(key, value) }
    func get(_ key: [UInt8]) throws -> [UInt8]? { try store.get(key) }
    func scan(from start: [UInt8], count: Int) throws -> Int { store.scan(from: start, count: count).count }
    func close() throws { store.close() }
}

/// LMDB as a YCSB engine.
struct LMDBEngine: KeyValueEngine {
    let store: LMDBStore
    var name: String { "lmdb" }

    func put(_ key: [UInt8], _ value: [UInt8]) throws { try store.put(key, value) }
    func get(_ key: [UInt8]) throws -> [UInt8]? { try store.get(key) }
    func scan(from start: [UInt8], count: Int) throws -> Int { try store.scan(from: start, count: count).count }
    func close() throws { store.close() }
}
