// The async face of the store. A writer that waits suspends its task instead of blocking a
// thread. Reads take microseconds of device time and run on the caller's thread.
extension Store {
    /// Sets `key` to `value`; see `put(_:_:sync:)`.
    public func put(_ key: [UInt8], _ value: [UInt8], sync: Bool = false) async throws(StoreError) {
        try await engine().put(key, value, sync: sync)
    }

    /// Removes `key`; see `delete(_:sync:)`.
    public func delete(_ key: [UInt8], sync: Bool = false) async throws(StoreError) {
        try await engine().delete(key, sync: sync)
    }

    /// Applies every change of `batch`, or none; see `write(_:sync:)`.
    public func write(_ batch: WriteBatch, sync: Bool = false) async throws(StoreError) {
        try await engine().write(batch, sync: sync)
    }

    /// Makes every write that returned before this call durable; see `sync()`.
    public func sync() async throws(StoreError) {
        try await engine().sync()
    }

    /// The value of `key`, or `nil`; see `get(_:)`.
    public func get(_ key: [UInt8]) async throws(StoreError) -> [UInt8]? {
        try engine().get(key)
    }
}

// Keys and values as UTF-8 strings.
extension Store {
    /// Sets `key` to `value`, both stored as UTF-8.
    public func put(_ key: String, _ value: String, sync: Bool = false) throws(StoreError) {
        try put(Array(key.utf8), Array(value.utf8), sync: sync)
    }

    /// The value of `key` decoded as UTF-8 (invalid sequences repaired), or `nil`.
    public func get(_ key: String) throws(StoreError) -> String? {
        try get(Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Removes `key`.
    public func delete(_ key: String, sync: Bool = false) throws(StoreError) {
        try delete(Array(key.utf8), sync: sync)
    }
}
