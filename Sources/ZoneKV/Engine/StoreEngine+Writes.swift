extension StoreEngine {
    /// Sets `key` to `value`. Returns once the value's append has completed on the device: it
    /// survives a crash of this process, and a power loss once `sync()` returns (or at once
    /// with `sync: true`).
    ///
    /// - Throws: `.keyTooLarge`, `.valueTooLarge`, `.deviceFull`, `.closed`, or `.device`.
    func put(_ key: [UInt8], _ value: [UInt8], sync: Bool = false) throws(StoreError) {
        try makingRoom { () throws(StoreError) in
            let descriptor = try preparePut(key, value)
            try writes.perform(needsFlush: needsFlush(sync)) { sequence, waiter, queue in
                queue.append(.record(putRecord(key: key, value: value, descriptor: descriptor, sequence: sequence, waiter: waiter)))
            }
        }
    }

    /// Checks a put; a value too large for one record has its chunks written now, and the
    /// descriptor naming them is returned.
    func preparePut(_ key: [UInt8], _ value: [UInt8]) throws(StoreError) -> LargeValueDescriptor? {
        try checkKey(key)
        try checkValue(value)
        return value.count > inlineValueLimit(keyCount: key.count) ? try writeChunks(of: value, key: key) : nil
    }

    /// Removes `key` (nothing happens if it is not there).
    func delete(_ key: [UInt8], sync: Bool = false) throws(StoreError) {
        try checkKey(key)
        try makingRoom { () throws(StoreError) in
            try writes.perform(needsFlush: needsFlush(sync)) { sequence, waiter, queue in
                queue.append(.record(PendingRecord(.delete, sequence: sequence, key: key, waiter: waiter)))
            }
        }
    }

    /// Applies every change of `batch`, or, if anything fails or the process crashes, none.
    func write(_ batch: WriteBatch, sync: Bool = false) throws(StoreError) {
        try makingRoom { () throws(StoreError) in
            guard let prepared = try prepare(batch) else { return }
            try writes.perform(needsFlush: needsFlush(sync)) { sequence, waiter, queue in
                enqueue(prepared, sequence: sequence, waiter: waiter, into: &queue)
            }
        }
    }

    /// A batch ready to queue: one change per key, large values already written as chunks.
    struct PreparedBatch {
        var changes: [WriteBatch.Change]
        /// Descriptors of large values, by change position.
        var descriptors: [Int: LargeValueDescriptor]
    }

    /// Checks a batch and writes its large values' chunks; `nil` for an empty batch.
    func prepare(_ batch: WriteBatch) throws(StoreError) -> PreparedBatch? {
        let changes = batch.lastChangePerKey
        guard !changes.isEmpty else { return nil }
        var descriptors: [Int: LargeValueDescriptor] = [:]
        for (index, change) in changes.enumerated() {
            switch change {
            case let .put(key, value): descriptors[index] = try preparePut(key, value)
            case let .delete(key): try checkKey(key)
            }
        }
        return PreparedBatch(changes: changes, descriptors: descriptors)
    }

    /// Queues a batch's records, each marked as in the batch, then its commit record.
    func enqueue(_ batch: PreparedBatch, sequence: UInt64, waiter: WriteWaiter, into queue: inout [PendingItem]) {
        for (index, change) in batch.changes.enumerated() {
            switch change {
            case let .put(key, value):
                queue.append(
                    .record(
                        putRecord(
                            key: key, value: value, descriptor: batch.descriptors[index], sequence: sequence, flags: .inBatch,
                            waiter: waiter)))
            case let .delete(key):
                queue.append(.record(PendingRecord(.delete, flags: .inBatch, sequence: sequence, key: key, waiter: waiter)))
            }
        }
        // The commit record's value is the batch's record count.
        let count = withUnsafeBytes(of: UInt32(batch.changes.count).littleEndian) { [UInt8]($0) }
        queue.append(.record(PendingRecord(.batchCommit, sequence: sequence, key: [], value: count, waiter: waiter)))
    }

    /// Makes every write that returned before this call durable across power loss.
    func sync() throws(StoreError) {
        try writes.perform(needsFlush: true) { _, waiter, queue in queue.append(.barrier(waiter)) }
    }

    // MARK: Building records

    func needsFlush(_ sync: Bool) -> Bool { sync || options.syncEveryWrite }

    /// Writes a large value's chunks (each filling one append unit, several in flight) to
    /// `stream` and returns where they went.
    func writeChunks(of value: [UInt8], key: [UInt8], stream: WriteStream = .user) throws(StoreError) -> LargeValueDescriptor {
        let chunkBytes = inlineValueLimit(keyCount: key.count)
        let locations = try writes.perform(needsFlush: false, { sequence, waiter, queue in
            var start = 0
            while start < value.count {
                let end = min(start + chunkBytes, value.count)
                queue.append(
                    .record(
                        PendingRecord(
                            type: .valueChunk, flags: [], sequence: sequence, key: key, value: value, valueRange: start..<end,
                            mayCompress: false, waiter: waiter, endsOperation: end == value.count, stream: stream)))
                start = end
            }
        }, results: { $0.chunkLocations })
        return LargeValueDescriptor(
            valueBytes: value.count,
            chunks: locations.map { LargeValueDescriptor.Chunk(zone: $0.zone, offset: $0.offset, byteCount: $0.storedLength) })
    }

    /// The record that sets `key`: the value itself (LZ4 allowed), or, for a large value, the
    /// descriptor of its chunks.
    func putRecord(
        key: [UInt8], value: [UInt8], descriptor: LargeValueDescriptor?, sequence: UInt64, flags: RecordFlags = [],
        waiter: WriteWaiter
    ) -> PendingRecord {
        guard let descriptor else {
            return PendingRecord(.put, flags: flags, sequence: sequence, key: key, value: value, mayCompress: true, waiter: waiter)
        }
        return PendingRecord(.put, flags: flags.union(.largeValue), sequence: sequence, key: key, value: descriptor.encoded, waiter: waiter)
    }

    /// The first record of a new store, marking the device as a ZoneKV store and naming the
    /// store's tag and generation.
    func writeStoreHeader(_ identity: StoreIdentity) throws(StoreError) {
        let value = identity.headerValue
        try writes.perform(needsFlush: true) { sequence, waiter, queue in
            queue.append(.record(PendingRecord(.storeHeader, sequence: sequence, key: [], value: value, waiter: waiter)))
        }
    }
}
