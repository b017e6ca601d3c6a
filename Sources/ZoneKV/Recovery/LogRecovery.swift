import ZoneKVDevice

/// Rebuilds the index at open: from the newest intact checkpoint plus the units written after
/// its cut, or, when there is none, from the whole log. Records are applied in sequence order,
/// because Zone Append places units in completion order, not in the order they were written.
///
/// A torn or partial unit at a zone's tail fails its checksum and is skipped. A batch counts
/// only when its commit record is found with the batch's full record count.
enum LogRecovery {
    /// What recovery found.
    struct Report {
        var zones: [ZoneDescriptor]
        /// Units and records read from the log (after the checkpoint's cut, with one).
        var units = 0
        var records = 0
        /// Bytes of those units: what the next checkpoint would spare the next open.
        var unitBytes = 0
        /// Blocks skipped because they held no intact unit (torn appends).
        var skippedBlocks = 0
        /// Batches dropped because not all their records were found.
        var incompleteBatches = 0
        /// The store the device holds: that of the newest store header found.
        var identity: StoreIdentity?
        /// Records left out because an older store on the device wrote them (read-only zones
        /// keep them through a format).
        var foreignRecords = 0
        var nextSequence: UInt64 = 1
        var nextUnitSequence: UInt64 = 1
        /// The checkpoint the index was loaded from, and newer ones skipped as torn or damaged.
        var checkpoint: CheckpointCommit?
        var skippedCheckpoints = 0
        /// The stream that writes each zone, where known.
        var streams: [WriteStream?] = []
        /// No zone holds any data.
        var deviceIsEmpty: Bool { zones.allSatisfy { $0.writtenBlocks == 0 } }
    }

    /// Recovers the store on `queue` into a new engine state. With `usingCheckpoints` false the
    /// whole log is read even where a checkpoint exists.
    static func recover(
        on queue: DeviceQueue, cacheBytes: Int, unitBytes: Int, usingCheckpoints: Bool = true
    ) throws(StoreError) -> (Report, EngineState) {
        let geometry = queue.geometry
        func freshState() -> EngineState { EngineState(cacheBytes: cacheBytes, zoneCount: geometry.zoneCount) }
        let zones: [ZoneDescriptor]
        do throws(DeviceError) { zones = try queue.reportZones() } catch { throw StoreError(error, during: "reporting zones") }
        let heads = try ZoneHeads.read(zones, on: queue, unitBytes: unitBytes)
        let metadata = try CheckpointLocator.walk(zones, heads: heads, on: queue, unitBytes: unitBytes)
        var report = Report(zones: zones)
        report.streams = heads.streams

        // A checkpoint counts only if every zone still taking writes was written by its store
        // (a format since then means it is an older store's).
        let writableTags = Set(zones.filter { $0.state.isWritable || $0.state == .full }.compactMap { heads[$0.zone.rawValue]?.storeTag })
        var base: CheckpointLoader?
        if usingCheckpoints {
            (base, report.skippedCheckpoints) = metadata.loadNewest(
                on: queue, accepting: { writableTags == [$0.identity.tag] }, makeState: freshState)
        }
        let state = base?.state ?? freshState()
        var log = FoundLog()
        let plan = ReplayPlan(zones: zones, heads: heads, checkpoint: base)
        for zone in zones where !heads.isMetadata(zone.zone.rawValue) {
            try log.read(zone, from: plan.startBlock(of: zone), on: queue, into: &report, replayFromUnit: plan.replayFromUnit)
        }
        // Metadata units (a store header, checkpoints) make it a store even with no log left
        // elsewhere, as when another program overwrote its only data zone.
        if base == nil && log.zonesWithData > 0 && report.units == 0 && metadata.units.isEmpty {
            throw StoreError(
                .notAStore,
                "the device holds data in \(log.zonesWithData) zones but no ZoneKV log; it is not a ZoneKV store. Formatting it (zonekv format, or Store.format) erases that data")
        }
        if let base {
            // A store header newer than the checkpoint's store means a format the checkpoint
            // predates: read the whole log instead.
            if let newer = log.identities.max(by: { $0.generation < $1.generation }), newer.generation > base.commit.identity.generation {
                return try recover(on: queue, cacheBytes: cacheBytes, unitBytes: unitBytes, usingCheckpoints: false)
            }
            report.identity = base.commit.identity
            report.checkpoint = base.commit
            report.nextSequence = base.commit.id + 1
            report.nextUnitSequence = base.commit.replayFromUnit
            plan.restoreZoneUsage(of: state)
        } else {
            report.identity = log.identities.max { $0.generation < $1.generation }
        }
        report.nextUnitSequence = max(report.nextUnitSequence, metadata.newestUnitSequence + 1)
        for unit in metadata.units {
            state.zoneUsage.noteWritten(
                unit.peek.firstRecordType ?? .checkpointPiece, zone: unit.zone, sequence: unit.peek.firstRecordSequence,
                unitSequence: unit.peek.sequence)
        }
        if let loaded = base?.commit {
            state.checkpoints.add(.init(id: loaded.id, replayFromUnit: loaded.replayFromUnit, cutTime: loaded.cutTime))
        }
        let zonesWithUnits = report.identity.map { log.zonesHoldingUnits(of: $0.tag) } ?? []
        log.apply(to: state, storeTag: report.identity?.tag, checkingSequences: base != nil, report: &report)
        if base != nil { try checkNothingVanished(zones, plan: plan, zonesWithUnits: zonesWithUnits, state: state) }
        state.checkpoints.bytesSinceCut = report.unitBytes
        return (report, state)
    }

    /// The store resets a zone only after copies of its live records are durable, and replay
    /// moves the index to those copies. So records the checkpointed index still places in a
    /// zone that is now empty, or that was read whole (reset since the cut) and holds no unit
    /// of this store at all, were reset or overwritten by something else: they are gone.
    /// (Records in such a zone can only come from the checkpoint: none of the zone's own units
    /// were replayed.)
    private static func checkNothingVanished(
        _ zones: [ZoneDescriptor], plan: ReplayPlan, zonesWithUnits: Set<Int>, state: EngineState
    ) throws(StoreError) {
        let vanished = zones.filter { zone in
            let index = zone.zone.rawValue
            guard zone.state != .offline, state.zoneUsage.liveBytes[index] > 0 else { return false }
            return zone.state == .empty || (plan.startBlock(of: zone) == 0 && !zonesWithUnits.contains(index))
        }
        guard !vanished.isEmpty else { return }
        let names = vanished.map { String($0.zone.rawValue) }.joined(separator: ", ")
        let bytes = vanished.reduce(0) { $0 + state.zoneUsage.liveBytes[$1.zone.rawValue] }
        throw StoreError(
            .deviceChanged,
            "zone\(vanished.count == 1 ? "" : "s") \(names) \(vanished.count == 1 ? "was" : "were") reset or overwritten outside ZoneKV (or \(vanished.count == 1 ? "its" : "their") data is damaged): \(bytes) bytes of live records the store's checkpoint points at are gone. Restore the device from a backup, or open with rebuildIndexFromLog (zonekv: --rebuild-index) to keep what the log still holds, losing those records")
    }

    /// Blocks of a zone that may hold log: up to the write pointer; a read-only zone has no
    /// valid write pointer, so all of its capacity (the checksums tell log from the rest). An
    /// offline zone cannot be read at all.
    static func blocksToScan(_ zone: ZoneDescriptor) -> UInt64 {
        switch zone.state {
        case .offline, .empty: 0
        case .readOnly: zone.writePointer == nil ? zone.capacity : zone.writtenBlocks
        default: zone.writtenBlocks
        }
    }
}

/// Where replay starts in each zone: with a checkpoint, at the zone's write pointer at the cut,
/// unless the zone was reset and written again since (its first unit is newer than the cut) or
/// its count was uncertain; without one, at the zone's start.
struct ReplayPlan {
    private let startBlocks: [UInt64]
    /// Units before this one are in the checkpoint; 0 without one.
    let replayFromUnit: UInt64
    /// Zones reset since the cut: what the checkpoint says of them is stale.
    private let resetSinceCut: [Int]

    init(zones: [ZoneDescriptor], heads: ZoneHeads, checkpoint: CheckpointLoader?) {
        guard let checkpoint else {
            startBlocks = Array(repeating: 0, count: zones.count)
            replayFromUnit = 0
            resetSinceCut = []
            return
        }
        replayFromUnit = checkpoint.commit.replayFromUnit
        var starts = Array(repeating: UInt64(0), count: zones.count)
        var reset: [Int] = []
        for zone in zones {
            let index = zone.zone.rawValue
            let written = checkpoint.writtenBlocks[index] ?? 0
            if let head = heads[index], head.sequence < replayFromUnit, written <= LogRecovery.blocksToScan(zone) {
                starts[index] = written
            } else if written > 0 {
                reset.append(index)
            }
        }
        startBlocks = starts
        resetSinceCut = reset
    }

    func startBlock(of zone: ZoneDescriptor) -> UInt64 { startBlocks[zone.zone.rawValue] }

    func restoreZoneUsage(of state: EngineState) {
        for zone in resetSinceCut { state.zoneUsage.restore(zone: zone, lowestPutSequence: .max, newestUnit: 0) }
    }
}
