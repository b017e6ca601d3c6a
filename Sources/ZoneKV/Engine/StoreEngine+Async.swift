// Writes for tasks: a writer that waits suspends its task instead of blocking a thread; a task
// that leads group commit does the I/O on its thread, as a synchronous writer would.
extension StoreEngine {
    /// Sets `key` to `value`; see the synchronous `put(_:_:sync:)`.
    func put(_ key: [UInt8], _ value: [UInt8], sync: Bool = false) async throws(StoreError) {
        try await makingRoom { () async throws(StoreError) in
            // A large value's chunks are written first, blocking, then it commits like any put.
            let descriptor = try preparePut(key, value)
            try await writes.perform(needsFlush: needsFlush(sync)) { sequence, waiter, queue in
                queue.append(.record(putRecord(key: key, value: value, descriptor: descriptor, sequence: sequence, waiter: waiter)))
            }
        }
    }

    /// Removes `key`; see the synchronous `delete(_:sync:)`.
    func delete(_ key: [UInt8], sync: Bool = false) async throws(StoreError) {
        try checkKey(key)
        try await makingRoom { () async throws(StoreError) in
            try await writes.perform(needsFlush: needsFlush(sync)) { sequence, waiter, queue in
                queue.append(.record(PendingRecord(.delete, sequence: sequence, key: key, waiter: waiter)))
            }
        }
    }

    /// Applies every change of `batch`, or none; see the synchronous `write(_:sync:)`.
    func write(_ batch: WriteBatch, sync: Bool = false) async throws(StoreError) {
        try await makingRoom { () async throws(StoreError) in
            guard let prepared = try prepare(batch) else { return }
            try await writes.perform(needsFlush: needsFlush(sync)) { sequence, waiter, queue in
                enqueue(prepared, sequence: sequence, waiter: waiter, into: &queue)
            }
        }
    }

    /// Makes every write that returned before this call durable; see the synchronous `sync()`.
    func sync() async throws(StoreError) {
        try await writes.perform(needsFlush: true) { _, waiter, queue in queue.append(.barrier(waiter)) }
    }
}
