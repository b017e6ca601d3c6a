import CRocksDB

#if canImport(Glibc)
import Glibc
#endif

/// RocksDB through its C API, as the benchmark's peer: a database in a directory, with a
/// block cache of a given size, writes without per-operation sync (RocksDB's default).
public final class RocksDBStore: @unchecked Sendable {
    private let database: OpaquePointer
    private let options: OpaquePointer
    private let tableOptions: OpaquePointer
    private let cache: OpaquePointer
    private let writeOptions: OpaquePointer
    private let readOptions: OpaquePointer

    public init(directory: String, cacheBytes: Int) throws {
        options = rocksdb_options_create()
        rocksdb_options_set_create_if_missing(options, 1)
        rocksdb_options_increase_parallelism(options, 2)
        tableOptions = rocksdb_block_based_options_create()
        cache = rocksdb_cache_create_lru(max(cacheBytes, 1 << 20))
        rocksdb_block_based_options_set_block_cache(tableOptions, cache)
        rocksdb_options_set_block_based_table_factory(options, tableOptions)
        writeOptions = rocksdb_writeoptions_create()
        readOptions = rocksdb_readoptions_create()
        var error: UnsafeMutablePointer<CChar>?
        guard let opened = rocksdb_open(options, directory, &error) else {
            defer { free(error) }
            throw PeerEngineError("RocksDB cannot open \(directory): \(error.map { String(cString: $0) } ?? "unknown error")")
        }
        database = opened
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        var error: UnsafeMutablePointer<CChar>?
        key.withUnsafeBufferPointer { key in
            value.withUnsafeBufferPointer { value in
                key.withMemoryRebound(to: CChar.self) { key in
                    value.withMemoryRebound(to: CChar.self) { value in
                        rocksdb_put(database, writeOptions, key.baseAddress, key.count, value.baseAddress, value.count, &error)
                    }
                }
            }
        }
        try check(error)
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        var error: UnsafeMutablePointer<CChar>?
        var length = 0
        let found = key.withUnsafeBufferPointer { key in
            key.withMemoryRebound(to: CChar.self) { rocksdb_get(database, readOptions, $0.baseAddress, $0.count, &length, &error) }
        }
        try check(error)
        guard let found else { return nil }
        defer { rocksdb_free(found) }
        return [UInt8](UnsafeRawBufferPointer(start: found, count: length))
    }

    /// Up to `count` records from `start` on, in key order, copied out (as ZoneKV's scan returns
    /// them, and as YCSB's bindings copy a scan's values into its result).
    public func scan(from start: [UInt8], count: Int) -> [(key: [UInt8], value: [UInt8])] {
        let iterator = rocksdb_create_iterator(database, readOptions)
        defer { rocksdb_iter_destroy(iterator) }
        start.withUnsafeBufferPointer { key in key.withMemoryRebound(to: CChar.self) { rocksdb_iter_seek(iterator, $0.baseAddress, $0.count) } }
        var records: [(key: [UInt8], value: [UInt8])] = []
        var keyLength = 0
        var valueLength = 0
        while records.count < count, rocksdb_iter_valid(iterator) != 0 {
            let key = rocksdb_iter_key(iterator, &keyLength)
            let value = rocksdb_iter_value(iterator, &valueLength)
            records.append(
                ([UInt8](UnsafeRawBufferPointer(start: key, count: keyLength)), [UInt8](UnsafeRawBufferPointer(start: value, count: valueLength))))
            rocksdb_iter_next(iterator)
        }
        return records
    }

    public func close() {
        rocksdb_close(database)
        rocksdb_writeoptions_destroy(writeOptions)
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_options_destroy(options)
        rocksdb_block_based_options_destroy(tableOptions)
        rocksdb_cache_destroy(cache)
    }

    private func check(_ error: UnsafeMutablePointer<CChar>?) throws {
        guard let error else { return }
        defer { free(error) }
        throw PeerEngineError("RocksDB: \(String(cString: error))")
    }
}
