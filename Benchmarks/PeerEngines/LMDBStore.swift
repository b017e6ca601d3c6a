import CLMDB

/// LMDB as the benchmark's peer: one memory-mapped file, writes in their own transactions
/// without a sync per commit (MDB_NOSYNC: the same durability as the others), readers in
/// read-only transactions that never block writers.
public final class LMDBStore: @unchecked Sendable {
    private let environment: OpaquePointer
    private let database: MDB_dbi

    /// - Parameter mapBytes: The largest the database may grow.
    public init(path: String, mapBytes: Int) throws {
        var environment: OpaquePointer?
        try Self.check(mdb_env_create(&environment), "creating an environment")
        self.environment = environment!
        try Self.check(mdb_env_set_mapsize(environment, mapBytes), "setting the map size")
        try Self.check(mdb_env_set_maxreaders(environment, 256), "setting the reader count")
        try Self.check(
            mdb_env_open(environment, path, UInt32(MDB_NOSUBDIR | MDB_NOSYNC | MDB_NOTLS | MDB_NORDAHEAD), 0o644), "opening \(path)")
        var transaction: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, 0, &transaction), "starting a transaction")
        var database: MDB_dbi = 0
        try Self.check(mdb_dbi_open(transaction, nil, 0, &database), "opening the database")
        try Self.check(mdb_txn_commit(transaction), "committing")
        self.database = database
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        var transaction: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, 0, &transaction), "starting a write")
        var keyBytes = key
        var valueBytes = value
        let status = keyBytes.withUnsafeMutableBytes { key in
            valueBytes.withUnsafeMutableBytes { value in
                var keyValue = MDB_val(mv_size: key.count, mv_data: key.baseAddress)
                var dataValue = MDB_val(mv_size: value.count, mv_data: value.baseAddress)
                return mdb_put(transaction, database, &keyValue, &dataValue, 0)
            }
        }
        guard status == 0 else {
            mdb_txn_abort(transaction)
            try Self.check(status, "writing")
            return
        }
        try Self.check(mdb_txn_commit(transaction), "committing a write")
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try reading { transaction in
            var keyBytes = key
            return try keyBytes.withUnsafeMutableBytes { key throws -> [UInt8]? in
                var keyValue = MDB_val(mv_size: key.count, mv_data: key.baseAddress)
                var dataValue = MDB_val()
                let status = mdb_get(transaction, database, &keyValue, &dataValue)
                if status == MDB_NOTFOUND { return nil }
                try Self.check(status, "reading")
                return [UInt8](UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))
            }
        }
    }

    /// Up to `count` records from `start` on, in key order, copied out of the map (as ZoneKV's
    /// scan returns them, and as YCSB's bindings copy a scan's values into its result).
    public func scan(from start: [UInt8], count: Int) throws -> [(key: [UInt8], value: [UInt8])] {
        try reading { transaction in
            var cursor: OpaquePointer?
            try Self.check(mdb_cursor_open(transaction, database, &cursor), "opening a cursor")
            defer { mdb_cursor_close(cursor) }
            var keyBytes = start
            return keyBytes.withUnsafeMutableBytes { key in
                var keyValue = MDB_val(mv_size: key.count, mv_data: key.baseAddress)
                var dataValue = MDB_val()
                var records: [(key: [UInt8], value: [UInt8])] = []
                var status = mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_SET_RANGE)
                while status == 0 && records.count < count {
                    records.append(
                        ([UInt8](UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size)),
                         [UInt8](UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))))
                    status = mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_NEXT)
                }
                return records
            }
        }
    }

    private func reading<Result>(_ body: (OpaquePointer?) throws -> Result) throws -> Result {
        var transaction: OpaquePointer?
        try Self.check(mdb_txn_begin(environment, nil, UInt32(MDB_RDONLY), &transaction), "starting a read")
        defer { mdb_txn_abort(transaction) }
        return try body(transaction)
    }

    public func close() {
        mdb_env_close(environment)
    }

    private static func check(_ status: Int32, _ doing: String) throws {
        guard status != 0 else { return }
        throw PeerEngineError("LMDB failed \(doing): \(String(cString: mdb_strerror(status)))")
    }
}
