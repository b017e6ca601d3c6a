import ZoneKVDevice

/// What one collection did.
public struct CollectionSummary: Hashable, Sendable {
    /// The zone collected and reset.
    public var zone: Int
    /// Records copied to the relocation stream, and bytes of live data they carried.
    public var copiedRecords: Int
    public var copiedBytes: Int
}

/// Garbage collection: choose a sealed zone by cost-benefit, copy its live records through the
/// relocation stream (keeping their sequence numbers), make the copies durable, then reset the
/// zone and return it to the free pool.
///
/// Nothing is lost at any point of a crash: the zone is reset only after its copies are flushed,
/// and recovery orders a copy right after its original (same sequence number, later unit), so
/// finding both is harmless. The index moves to a copy only where it still points at the
/// original, so a write made meanwhile wins.
extension StoreEngine {
    /// Collects the zone with the best cost-benefit score, if one has enough garbage.
    /// Collections run one at a time; a caller that finds one running waits for it and returns
    /// its result. Returns `nil` when there was nothing worth collecting.
    @discardableResult
    func collectGarbage() throws(StoreError) -> CollectionSummary? {
        try collectionGate.run { () throws(StoreError) in try collectOneZone() }
    }

    private func collectOneZone() throws(StoreError) -> CollectionSummary? {
        let geometry = device.geometry
        let capacityBytes = Int(geometry.zoneCapacity) * geometry.blockSize
        guard
            let victim = engine.withLock({ state in
                // Copies go to the relocation stream's zone, then to free zones.
                let room = state.zoneUsage.relocationRoomBytes + state.counters.freeZones * capacityBytes
                // A zone is worth collecting for a sixteenth of it (and at least an append unit):
                // less would copy much to gain little.
                return VictimChoice.best(
                    in: state.zoneUsage, zoneCapacityBytes: capacityBytes, minimumGarbageBytes: max(unitBytes, capacityBytes / 16),
                    roomBytes: room)
            })
        else { return nil }
        let bytes: [UInt8]
        do throws(StoreError) {
            bytes = try readVictim(victim)
        } catch {
            engine.withLock { $0.zoneUsage.unreadable[victim] = true }
            throw error
        }
        var plan = bytes.withUnsafeBytes { raw in survey(UnsafeRawBufferPointer(raw), zone: victim) }
        try addLargeValues(touching: victim, to: &plan)
        try writeCopies(plan.copies)
        try writes.perform(needsFlush: false) { _, waiter, queue in queue.append(.zoneReset(victim, waiter)) }
        engine.withLock { $0.counters.collections += 1 }
        return CollectionSummary(zone: victim, copiedRecords: plan.copies.count, copiedBytes: plan.copies.reduce(0) { $0 + $1.bytes })
    }

    /// The written capacity of a victim zone, read at once.
    private func readVictim(_ victim: Int) throws(StoreError) -> [UInt8] {
        let geometry = device.geometry
        return try reads.withQueue { queue throws(StoreError) in
            do throws(DeviceError) {
                return try queue.read(from: geometry.startBlock(of: ZoneID(victim)), blockCount: Int(geometry.zoneCapacity))
            } catch {
                throw StoreError(error, during: "reading zone \(victim) to collect it (collection passes it over until the store is opened again)")
            }
        }
    }

    // MARK: Deciding what lives

    /// A record to copy, with the original's sequence number.
    private struct Copy {
        var type: RecordType
        var flags: RecordFlags
        var sequence: UInt64
        var key: [UInt8]
        var value: [UInt8]
        /// For a put, where the original is.
        var original: RecordLocation?
        var bytes: Int { AppendUnitFormat.recordBytes(keyCount: key.count, valueCount: value.count) }
    }

    private struct Plan {
        var copies: [Copy] = []
        /// Keys whose large value may have chunks in the zone (checked against their descriptors).
        var chunkKeys: Set<[UInt8]> = []
        /// Live large values whose descriptor is in the zone.
        var largeValues: [[UInt8]: IndexEntry] = [:]
    }

    /// Records whose fate collection decides per hold of the engine lock.
    private static let recordsPerLockHold = 512

    /// Decides, record by record, what of the zone's bytes is still needed.
    private func survey(_ bytes: UnsafeRawBufferPointer, zone: Int) -> Plan {
        let (units, _) = AppendUnitDecoder.scanZone(bytes, blockSize: device.geometry.blockSize)
        let ownUnits = units.filter { $0.storeTag == storeTag }
        // Batch members found in this zone, by batch: a commit record is needed only while
        // members of its batch remain elsewhere.
        var membersHere: [UInt64: Int] = [:]
        for unit in ownUnits {
            for record in unit.records where record.flags.contains(.inBatch) { membersHere[record.sequence, default: 0] += 1 }
        }
        var plan = Plan()
        // The engine lock is taken for a slice of records at a time, not the whole zone (tens
        // of thousands of index lookups), so gets and writes never wait for a whole survey.
        // Slices much smaller make contention frequent: at 32 records the p99 of gets beside
        // collection went from 10 to 80 us. Each decision stands on its own: a write that
        // lands between two slices makes a copy redundant, never wrong.
        let records = ownUnits.flatMap { unit in unit.records.map { (record: $0, unitSequence: unit.sequence) } }
        for sliceStart in stride(from: 0, to: records.count, by: Self.recordsPerLockHold) {
            engine.withLock { state in
                for (record, unitSequence) in records[sliceStart..<min(sliceStart + Self.recordsPerLockHold, records.count)] {
                    let key = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[record.key]))
                    let stored = UnsafeRawBufferPointer(rebasing: bytes[record.value])
                    if record.flags.contains(.inBatch) && state.failedBatches.contains(record.sequence) { continue }
                    let copyFlags = record.flags.subtracting(.inBatch).union(.relocated)
                    switch record.type {
                    case .put:
                        let location = RecordLocation(
                            zone: zone, offset: UInt64(record.value.lowerBound), storedLength: record.value.count,
                            recordFlags: record.flags)
                        guard let entry = state.index.entry(for: key), entry.location == location else { continue }
                        if location.isLargeValue {
                            plan.largeValues[key] = entry
                        } else {
                            plan.copies.append(
                                Copy(type: .put, flags: copyFlags, sequence: record.sequence, key: key, value: [UInt8](stored), original: location))
                        }
                    case .delete:
                        // Needed while the key is deleted and an older put of it may remain, or
                        // while a checkpoint taken before it may name the deleted value.
                        guard state.index.entry(for: key) == nil,
                            state.zoneUsage.olderPutsMayRemain(before: record.sequence, outside: zone)
                                || unitSequence >= state.checkpoints.oldestReplayFromUnit
                        else { continue }
                        plan.copies.append(Copy(type: .delete, flags: copyFlags, sequence: record.sequence, key: key, value: [], original: nil))
                    case .batchCommit:
                        let count = record.value.count == 4 ? Int(UInt32(littleEndian: stored.loadUnaligned(as: UInt32.self))) : 0
                        guard membersHere[record.sequence, default: 0] < count else { continue }
                        plan.copies.append(
                            Copy(type: .batchCommit, flags: copyFlags, sequence: record.sequence, key: [], value: [UInt8](stored), original: nil))
                    case .valueChunk:
                        if state.index.entry(for: key)?.location.isLargeValue == true { plan.chunkKeys.insert(key) }
                    case .checkpointPiece, .checkpointCommit:
                        continue  // metadata zones are never collected
                    case .storeHeader:
                        plan.copies.append(
                            Copy(type: .storeHeader, flags: copyFlags, sequence: record.sequence, key: [], value: [UInt8](stored), original: nil))
                    }
                }
            }
        }
        return plan
    }

    /// Copies live large values with a descriptor or a chunk in `zone`: each is read whole and
    /// written again (chunks, then a descriptor copy), since its descriptor names its chunks'
    /// places.
    private func addLargeValues(touching zone: Int, to plan: inout Plan) throws(StoreError) {
        for key in plan.chunkKeys where plan.largeValues[key] == nil {
            guard let entry = engine.withLock({ $0.index.entry(for: key) }), entry.location.isLargeValue else { continue }
            let request = RecordRequest(location: entry.location, key: key, type: .put, sequence: entry.sequence)
            let descriptor: LargeValueDescriptor
            do throws(StoreError) {
                descriptor = try reads.withQueue { queue throws(StoreError) in try reader.readDescriptor(request, on: queue) }
            } catch {
                if !indexStillPoints(key, at: entry.location) { continue }  // overwritten meanwhile
                throw error
            }
            if descriptor.chunks.contains(where: { $0.zone == zone }) { plan.largeValues[key] = entry }
        }
        for (key, entry) in plan.largeValues {
            let request = RecordRequest(location: entry.location, key: key, type: .put, sequence: entry.sequence)
            let value: [UInt8]
            do throws(StoreError) {
                value = try reads.withQueue { queue throws(StoreError) in try reader.readLargeValue(request, on: queue) }
            } catch {
                // Overwritten or deleted since the survey (its zone may even be gone): nothing to keep.
                if !indexStillPoints(key, at: entry.location) { continue }
                throw error
            }
            let descriptor = try writeChunks(of: value, key: key, stream: .relocation)
            plan.copies.append(
                Copy(
                    type: .put, flags: [.largeValue, .relocated], sequence: entry.sequence, key: key, value: descriptor.encoded,
                    original: entry.location))
        }
    }

    // MARK: Writing copies

    /// Appends the copies to the relocation stream and flushes: once this returns, the zone
    /// they came from may be reset.
    private func writeCopies(_ copies: [Copy]) throws(StoreError) {
        try writes.perform(needsFlush: true) { _, waiter, queue in
            guard !copies.isEmpty else {
                queue.append(.barrier(waiter))
                return
            }
            for (position, copy) in copies.enumerated() {
                queue.append(
                    .record(
                        PendingRecord(
                            type: copy.type, flags: copy.flags, sequence: copy.sequence, key: copy.key, value: copy.value,
                            valueRange: 0..<copy.value.count, mayCompress: false, waiter: waiter,
                            endsOperation: position == copies.count - 1, stream: .relocation, relocatedFrom: copy.original)))
            }
        }
    }
}

// MARK: Making room for writes

extension StoreEngine {
    /// Runs a write; when the device is full, collects garbage and tries again for as long as
    /// collection frees zones. Foreground writes slow down to the pace of collection instead of
    /// failing while space can be reclaimed; the write fails only when live data fills the device.
    func makingRoom<Result>(_ write: () throws(StoreError) -> Result) throws(StoreError) -> Result {
        while true {
            do throws(StoreError) {
                return try write()
            } catch where error.code == .deviceFull {
                guard try collectGarbage() != nil else { throw fullOfLiveData }
            }
        }
    }

    /// `makingRoom` for tasks.
    func makingRoom<Result>(_ write: () async throws(StoreError) -> Result) async throws(StoreError) -> Result {
        while true {
            do throws(StoreError) {
                return try await write()
            } catch where error.code == .deviceFull {
                guard try collectGarbage() != nil else { throw fullOfLiveData }
            }
        }
    }

    private var fullOfLiveData: StoreError {
        let live = engine.withLock { $0.zoneUsage.totalLiveBytes }
        return StoreError(
            .deviceFull,
            "the device is full of live data (\(live) bytes in \(device.geometry.zoneCount) zones, nothing left to reclaim); delete keys or use a larger device")
    }
}
