import Foundation

/// The group-commit leader's machinery: packs queued records into append units straight in
/// command-slot buffers, keeps several Zone Appends in flight, retires units strictly in
/// sequence order (applying them to the index), and flushes for writers that asked for it.
///
/// Only the current leader touches it; leadership, and with it this object, passes between
/// threads through `GroupCommit`, whose lock orders the hand-over.
final class WritePipeline {
    private let queue: DeviceQueue
    private let geometry: DeviceGeometry
    /// The most bytes one append unit takes.
    private let unitBytes: Int
    private var allocator: ZoneAllocator
    private let engine: Guarded<EngineState>
    private let compressionThreshold: Int?
    private var compressionBackoff = CompressionBackoff()
    private var encoder: AppendUnitEncoder
    private var nextUnitSequence: UInt64
    /// The tag every unit of this store carries.
    private let storeTag: UInt32

    /// Items taken from the writers' queue and not yet packed.
    private var items: [PendingItem] = []
    private var units: UnitRing
    /// The unit being filled, if any.
    private var building: Int?
    private var awaitingFlush: [WriteWaiter] = []
    private var flushing: [WriteWaiter] = []
    private var flushTag: CommandTag?
    /// Operations done since the leader last collected them.
    private var finished: [WriteWaiter] = []
    /// Set when the queue itself failed: every operation from then on fails with it.
    private var brokenBy: StoreError?
    /// The allocator's change count when zone states were last published to the engine state.
    private var publishedZoneChanges = -1
    /// A checkpoint cut waiting for the units before it to retire: its id and operation.
    private var pendingCut: (id: UInt64, waiter: WriteWaiter)?

    init(
        queue: DeviceQueue, unitBytes: Int, allocator: ZoneAllocator, engine: Guarded<EngineState>,
        compressionThreshold: Int?, nextUnitSequence: UInt64, storeTag: UInt32
    ) {
        self.storeTag = storeTag
        self.queue = queue
        geometry = queue.geometry
        self.unitBytes = unitBytes
        self.allocator = allocator
        self.engine = engine
        self.compressionThreshold = compressionThreshold
        self.nextUnitSequence = nextUnitSequence
        encoder = AppendUnitEncoder(capacity: unitBytes, blockSize: queue.geometry.blockSize)
        units = UnitRing(capacity: queue.depth * 2, tags: queue.depth)
        items.reserveCapacity(1024)
        finished.reserveCapacity(queue.depth * 16)
        engine.withLock { publishZones(to: $0) }
    }

    private var unitBlocks: Int { unitBytes / geometry.blockSize }

    /// Some operation still in the pipeline, to hand leadership to.
    var someWaitingOperation: WriteWaiter? {
        if let oldest = units.oldestPosition {
            if let waiter = units[oldest].completes.first ?? units[oldest].records.first?.pending.waiter { return waiter }
        }
        return items.first?.waiter ?? flushing.first ?? awaitingFlush.first
    }

    /// Takes the writers' queued items (swapping arrays, so both keep their storage).
    func takeItems(from queued: inout [PendingItem]) {
        if items.isEmpty {
            swap(&items, &queued)
        } else {
            items.append(contentsOf: queued)
            queued.removeAll(keepingCapacity: true)
        }
    }

    /// Hands over the operations finished since the last call.
    func collectFinished(into target: inout [WriteWaiter]) {
        swap(&target, &finished)
        finished.removeAll(keepingCapacity: true)
    }

    // MARK: One step of the leader

    /// Packs what is queued into units, submits them, waits for at least one completion when
    /// anything is in flight, and retires what completed.
    func advance() {
        if let brokenBy {
            failEverything(brokenBy)
            return
        }
        do throws(DeviceError) {
            finishDrainedZones()
            pack()
            issueFlushIfNeeded()
            if queue.inFlightCount > 0 {
                try queue.reap(minimum: 1) { completion in note(completion) }
            } else {
                try queue.submit()
            }
            retireDoneUnits()
            takeCutIfQuiet()
            issueFlushIfNeeded()
        } catch {
            brokenBy = StoreError(error, during: "writing to the device")
            failEverything(brokenBy!)
        }
    }

    // MARK: Packing

    private func pack() {
        guard pendingCut == nil else { return }
        var consumed = 0
        var skippingFailedOperation = false
        defer { items.removeFirst(consumed) }
        while consumed < items.count {
            switch items[consumed] {
            case let .barrier(waiter):
                completeAfterEarlierUnits(waiter)
            case let .zoneReset(zone, waiter):
                reset(zone, for: waiter)
            case let .checkpointCut(id, waiter):
                // Nothing after the cut may start before it is taken.
                if let position = building { seal(position) }
                pendingCut = (id, waiter)
                consumed += 1
                return
            case let .record(record):
                if skippingFailedOperation {
                    if record.endsOperation {
                        completeAfterEarlierUnits(record.waiter)
                        skippingFailedOperation = false
                    }
                    break
                }
                let valueCount = record.valueRange.count
                if let position = building,
                    units[position].stream != record.stream || !encoder.fits(keyCount: record.key.count, valueCount: valueCount)
                {
                    seal(position)
                }
                if building == nil {
                    switch startUnit(for: record.stream) {
                    case .ready:
                        break
                    case .mustWait:
                        return
                    case .deviceFull:
                        record.waiter.failure = record.waiter.failure ?? deviceFullError
                        if record.flags.contains(.inBatch) || record.type == .batchCommit {
                            engine.withLock { _ = $0.failedBatches.insert(record.sequence) }
                        }
                        if record.endsOperation { completeAfterEarlierUnits(record.waiter) } else { skippingFailedOperation = true }
                        consumed += 1
                        continue
                    }
                }
                place(record, in: building!)
            }
            consumed += 1
        }
        if let position = building { seal(position) }
    }

    private var deviceFullError: StoreError {
        StoreError(.deviceFull, "the device is full: no free zone is left for new appends")
    }

    /// Starts a unit of `stream` on a free slot, in a zone with room for a whole unit.
    private func startUnit(for stream: WriteStream) -> ZoneAllocator.Placement {
        guard !units.isFull, let tag = queue.reserveTag() else { return .mustWait }
        let placement = allocator.prepare(stream, unitBlocks: unitBlocks)
        guard placement == .ready else {
            queue.releaseTag(tag)
            return placement
        }
        building = units.append(tag: tag, sequence: nextUnitSequence)
        units[building!].stream = stream
        nextUnitSequence += 1
        return .ready
    }

    private func place(_ record: PendingRecord, in position: Int) {
        let buffer = queue.buffer(for: units[position].tag!)
        var threshold = record.mayCompress ? compressionThreshold : nil
        if let minimum = threshold, record.valueRange.count < minimum || !compressionBackoff.shouldTry() { threshold = nil }
        let added = record.key.withUnsafeBytes { key in
            record.value.withUnsafeBytes { value in
                encoder.add(
                    record.type, flags: record.flags, sequence: record.sequence, key: key,
                    value: UnsafeRawBufferPointer(rebasing: value[record.valueRange]), compressionThreshold: threshold,
                    into: buffer)
            }
        }
        if threshold != nil { compressionBackoff.attempted(saved: added.flags.contains(.compressed)) }
        units[position].records.append(
            InFlightUnit.Record(pending: record, storedFlags: added.flags, valueOffset: added.valueOffset, storedLength: added.storedLength))
        if record.endsOperation { units[position].completes.append(record.waiter) }
    }

    /// Seals the unit being built and queues its Zone Append.
    private func seal(_ position: Int) {
        building = nil
        let tag = units[position].tag!
        let stream = units[position].stream
        let blocks = encoder.seal(sequence: units[position].sequence, stream: stream, storeTag: storeTag, into: queue.buffer(for: tag))
        let zone = allocator.reserve(blocks, for: stream)
        units[position].zone = zone
        units[position].blocks = blocks
        do throws(DeviceError) {
            try queue.enqueue(.append(ZoneID(zone), blockCount: blocks), on: tag)
            units[position].outcome = .inFlight
        } catch {
            queue.releaseTag(tag)
            allocator.appendFailed(in: zone)
            units[position].outcome = .failed(StoreError(error, during: "appending to zone \(zone)"))
        }
    }

    /// Resets a zone garbage collection emptied and frees it. Its copies were made durable
    /// before the reset was queued, so nothing the zone held is lost with it.
    private func reset(_ zone: Int, for waiter: WriteWaiter) {
        do throws(DeviceError) {
            try queue.manage(.reset, ZoneID(zone))
            allocator.reclaim(zone)
            engine.withLock { state in
                state.zoneUsage.reset(zone)
                state.counters.zoneResets += 1
                publishZones(to: state)
            }
        } catch {
            if error.code == .zoneOffline || error.code == .zoneReadOnly { allocator.retire(zone) }
            waiter.failure = StoreError(error, during: "resetting zone \(zone)")
        }
        completeAfterEarlierUnits(waiter)
    }

    /// An operation with nothing (more) to write is done when every unit before it is.
    private func completeAfterEarlierUnits(_ waiter: WriteWaiter) {
        if let position = building ?? units.newestPosition {
            units[position].completes.append(waiter)
        } else {
            operationDone(waiter)
        }
    }

    // MARK: Checkpoint cuts

    /// Takes the pending checkpoint cut once every unit before it has retired: the index then
    /// reflects exactly the units sequenced before the next one, and zones' write pointers are
    /// where replay must start. No batch is half applied then: a batch's records are queued
    /// together, so all of them, commit included, come before the cut or after it.
    private func takeCutIfQuiet() {
        guard let (id, waiter) = pendingCut, units.isEmpty else { return }
        pendingCut = nil
        let written = allocator.writtenBlocksForReplay
        let time = UInt64(max(0, Date().timeIntervalSince1970 * 1e9))
        engine.withLock { state in
            state.checkpoints.cutTaken(replayFromUnit: nextUnitSequence)
            waiter.checkpointCut = CheckpointCut(
                id: id, replayFromUnit: nextUnitSequence, time: time, writtenBlocks: written, zoneUsage: state.zoneUsage,
                failedBatches: state.failedBatches, chunks: state.index.entryChunks)
        }
        operationDone(waiter)
    }

    // MARK: Completion and retirement

    private func note(_ completion: Completion) {
        if completion.tag == flushTag {
            flushTag = nil
            engine.withLock { $0.counters.flushes += 1 }
            let failure = completion.error.map { StoreError($0, during: "flushing the device") }
            for waiter in flushing {
                waiter.failure = waiter.failure ?? failure
                finished.append(waiter)
            }
            flushing.removeAll(keepingCapacity: true)
            return
        }
        let position = units.position(of: completion.tag)
        if let error = completion.error {
            allocator.appendFailed(in: units[position].zone)
            units[position].outcome = .failed(StoreError(error, during: "appending to zone \(units[position].zone)"))
            if error.code == .zoneOffline || error.code == .zoneReadOnly { allocator.retire(units[position].zone) }
        } else {
            units[position].outcome = .written(completion.assignedAddress)
        }
    }

    /// Retires completed units from the oldest on, stopping at the first still in flight, so
    /// the index changes in exactly the order writes were sequenced.
    private func retireDoneUnits() {
        guard let oldest = units.oldestPosition, units[oldest].isDone else { return }
        engine.withLock { state in
            while let position = units.oldestPosition, units[position].isDone {
                retire(position, into: state)
                units.removeOldest()
            }
            publishZones(to: state)
        }
    }

    /// Copies the zones' states into the engine state, where collection and statistics read them.
    private func publishZones(to state: EngineState) {
        state.zoneUsage.relocationRoomBytes = Int(allocator.roomBlocks(for: .relocation)) * geometry.blockSize
        guard allocator.changes != publishedZoneChanges else { return }
        publishedZoneChanges = allocator.changes
        state.counters.freeZones = allocator.freeCount
        state.counters.sealedZones = allocator.sealedCount
        state.counters.unusableZones = 0
        state.zoneUses = allocator.uses
        for zone in allocator.uses.indices {
            state.zoneUsage.sealed[zone] = allocator.uses[zone] == .sealed
            if allocator.uses[zone] == .unusable { state.counters.unusableZones += 1 }
        }
    }

    private func retire(_ position: Int, into state: EngineState) {
        let unit = units[position]
        if unit.zone >= 0 { allocator.appendFinished(in: unit.zone) }
        switch unit.outcome {
        case let .failed(error):
            for record in unit.records {
                record.pending.waiter.failure = record.pending.waiter.failure ?? error
                if record.pending.flags.contains(.inBatch) { state.failedBatches.insert(record.pending.sequence) }
            }
        case let .written(address):
            guard geometry.zone(containing: address).rawValue == unit.zone else {
                let error = StoreError(
                    .corruption, "the device placed an append for zone \(unit.zone) at block \(address.rawValue), outside that zone")
                for record in unit.records { record.pending.waiter.failure = record.pending.waiter.failure ?? error }
                break
            }
            let unitOffset = (address.rawValue - geometry.startBlock(of: ZoneID(unit.zone)).rawValue) * UInt64(geometry.blockSize)
            state.counters.appends += 1
            state.counters.appendedBytes += unit.blocks * geometry.blockSize
            state.counters.appendedRecords += unit.records.count
            switch unit.stream {
            case .relocation: state.counters.relocatedBytes += unit.blocks * geometry.blockSize
            case .metadata: state.counters.checkpointBytes += unit.blocks * geometry.blockSize
            case .user: break
            }
            if unit.stream != .metadata { state.checkpoints.bytesSinceCut += unit.blocks * geometry.blockSize }
            for placed in unit.records {
                let record = placed.pending
                let retired = RetiredRecord(
                    type: record.type, key: record.key, value: record.value,
                    location: RecordLocation(
                        zone: unit.zone, offset: unitOffset + UInt64(placed.valueOffset), storedLength: placed.storedLength,
                        recordFlags: placed.storedFlags),
                    sequence: record.sequence)
                state.zoneUsage.noteWritten(record.type, zone: unit.zone, sequence: record.sequence, unitSequence: unit.sequence)
                if record.flags.contains(.relocated) {
                    // A copy made by collection: only a put's copy moves the index.
                    if let original = record.relocatedFrom {
                        state.applyRelocation(record.key, from: original, to: retired.location, copiedValue: record.value)
                    }
                    continue
                }
                if unit.stream == .user { state.counters.userBytes += record.key.count + record.valueRange.count }
                if record.flags.contains(.inBatch) {
                    record.waiter.batchRecords.append(retired)
                    continue
                }
                switch record.type {
                case .put, .delete:
                    count(retired, in: state)
                    state.apply(retired)
                case .batchCommit:
                    guard record.waiter.failure == nil else {
                        state.failedBatches.insert(record.sequence)
                        break
                    }
                    state.counters.batches += 1
                    // Gets served from the cache do not wait for the engine lock: drop every
                    // member's cached value first, so that a get that sees one new value of the
                    // batch can only find the others through the index, once all are applied.
                    for member in record.waiter.batchRecords { state.cache.remove(forKey: member.key) }
                    for member in record.waiter.batchRecords {
                        count(member, in: state)
                        state.apply(member)
                    }
                case .valueChunk:
                    record.waiter.chunkLocations.append(retired.location)
                case .storeHeader, .checkpointPiece, .checkpointCommit:
                    break
                }
            }
        case .building, .inFlight:
            preconditionFailure("retiring a unit that is not done")
        }
        for waiter in unit.completes { operationDone(waiter) }
    }

    private func count(_ record: RetiredRecord, in state: EngineState) {
        if record.type == .put {
            state.counters.puts += 1
            state.counters.valueBytes += record.location.isLargeValue ? 0 : record.value.count
            state.counters.storedValueBytes += record.location.isLargeValue ? 0 : record.location.storedLength
        } else {
            state.counters.deletes += 1
        }
    }

    private func operationDone(_ waiter: WriteWaiter) {
        if waiter.needsFlush && waiter.failure == nil {
            awaitingFlush.append(waiter)
        } else {
            finished.append(waiter)
        }
    }

    /// Sends one flush for every writer waiting on one. It covers exactly the appends that
    /// completed before it, which includes theirs.
    private func issueFlushIfNeeded() {
        guard flushTag == nil, !awaitingFlush.isEmpty, let tag = queue.reserveTag() else { return }
        do throws(DeviceError) {
            try queue.enqueue(.flush, on: tag)
            flushTag = tag
            swap(&flushing, &awaitingFlush)
        } catch {
            queue.releaseTag(tag)
            for waiter in awaitingFlush {
                waiter.failure = StoreError(error, during: "flushing the device")
                finished.append(waiter)
            }
            awaitingFlush.removeAll(keepingCapacity: true)
        }
    }

    /// Finishes zones whose appends have all completed but that have capacity left, so they
    /// stop counting against the device's open and active limits.
    private func finishDrainedZones() {
        guard !allocator.zonesToFinish.isEmpty else { return }
        for zone in allocator.takeZonesToFinish() {
            do throws(DeviceError) {
                try queue.manage(.finish, ZoneID(zone))
                allocator.finished(zone)
            } catch where error.code == .zoneOffline || error.code == .zoneReadOnly {
                allocator.retire(zone)
            } catch {
                // The zone's data is intact and nobody waits on the finish: try again later
                // rather than fail the writes queued behind it.
                allocator.finishFailed(zone)
            }
        }
        engine.withLock { publishZones(to: $0) }
    }

    /// After the queue itself failed: fail every operation still in the pipeline.
    private func failEverything(_ error: StoreError) {
        for item in items {
            item.waiter.failure = item.waiter.failure ?? error
            if case let .record(record) = item, !record.endsOperation { continue }
            if !finished.contains(where: { $0 === item.waiter }) { finished.append(item.waiter) }
        }
        items.removeAll(keepingCapacity: true)
        for position in units.positions {
            for waiter in units[position].completes {
                waiter.failure = waiter.failure ?? error
                finished.append(waiter)
            }
        }
        while !units.isEmpty { units.removeOldest() }
        building = nil
        if let cut = pendingCut {
            cut.waiter.failure = cut.waiter.failure ?? error
            finished.append(cut.waiter)
            pendingCut = nil
        }
        for waiter in awaitingFlush + flushing {
            waiter.failure = waiter.failure ?? error
            finished.append(waiter)
        }
        awaitingFlush.removeAll()
        flushing.removeAll()
    }
}
