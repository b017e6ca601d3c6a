import Foundation
import Testing
@testable import ZoneKV
import ZoneKVDevice

/// Checkpoints: an open loads the newest intact checkpoint and replays only the units written
/// after its cut; a checkpoint torn by a crash or damaged falls back to the one before, or to the
/// whole log; what collection does after a cut never brings a deleted key back.
@Suite(.serialized) struct StoreCheckpointTests {
    /// Options for tests that control checkpoints by hand: none in the background, none at close.
    private static func byHand(_ options: StoreOptions = StoreUnderTest.options()) -> StoreOptions {
        var options = options
        options.checkpointAfterBytes = nil
        options.checkpointAfterSeconds = nil
        options.checkpointOnClose = false
        return options
    }

    private static func contents(_ store: Store) throws -> [[UInt8]: [UInt8]] {
        Dictionary(uniqueKeysWithValues: try store.scan().map { ($0.key, $0.value) })
    }

    /// Puts, overwrites, deletes and a batch, applied to the store and to `model`.
    private static func write(round: Int, to store: Store, model: inout [[UInt8]: [UInt8]]) throws {
        for number in 0..<600 {
            let key = [UInt8]("key-\(number * 7 % 1000)")
            let value = randomBytes(50 + (number * 13 + round) % 900, seed: UInt64(round * 10_000 + number))
            try store.put(key, value)
            model[key] = value
            if number % 9 == 0 {
                let doomed = [UInt8]("key-\((number + 500) % 1000)")
                try store.delete(doomed)
                model[doomed] = nil
            }
        }
        var batch = WriteBatch()
        for member in 0..<30 {
            let key = [UInt8]("batch-\(round)-\(member)")
            batch.put(key, randomBytes(700, seed: UInt64(round * 100 + member)))
            model[key] = randomBytes(700, seed: UInt64(round * 100 + member))
        }
        try store.write(batch)
    }

    @Test func aCleanCloseWritesACheckpointAndTheNextOpenReadsNoLog() throws {
        try StoreUnderTest.withStore { store, path in
            var model: [[UInt8]: [UInt8]] = [:]
            try Self.write(round: 1, to: store, model: &model)
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            defer { try? reopened.close() }
            #expect(reopened.recovery.checkpointID != nil)
            #expect(reopened.recovery.units == 0)
            #expect(reopened.recovery.keys == model.count)
            #expect(try Self.contents(reopened) == model)
            let statistics = try reopened.statistics()
            #expect(statistics.checkpointAge != nil)
            #expect(statistics.checkpoints == 0)
        }
    }

    @Test func anOpenAfterACheckpointReplaysOnlyWhatCameAfterIt() throws {
        let options = Self.byHand()
        try StoreUnderTest.withStore(options: options) { store, path in
            var model: [[UInt8]: [UInt8]] = [:]
            try Self.write(round: 1, to: store, model: &model)
            let summary = try #require(try store.checkpoint())
            #expect(summary.keys == model.count)
            #expect(summary.pieces >= 1 && summary.bytes > 0)
            let appendsAtCheckpoint = try store.statistics().appends
            try Self.write(round: 2, to: store, model: &model)
            let appendsAfter = try store.statistics().appends - appendsAtCheckpoint
            #expect(try store.statistics().checkpoints == 1)
            try store.close()

            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID == summary.id)
            #expect(reopened.recovery.units > 0 && reopened.recovery.units <= appendsAfter)
            #expect(try Self.contents(reopened) == model)
            try reopened.close()

            var fromLog = options
            fromLog.rebuildIndexFromLog = true
            let rebuilt = try Store.open(path, options: fromLog)
            #expect(rebuilt.recovery.checkpointID == nil)
            #expect(rebuilt.recovery.units > reopened.recovery.units)
            #expect(try Self.contents(rebuilt) == model)
            try rebuilt.close()
        }
    }

    @Test func aCheckpointWhoseAppendFailsLeavesTheOneBefore() throws {
        guard StoreUnderTest.isEmulated else { return }
        let options = Self.byHand()
        try StoreUnderTest.withStore(options: options) { store, path in
            var model: [[UInt8]: [UInt8]] = [:]
            try Self.write(round: 1, to: store, model: &model)
            let first = try #require(try store.checkpoint())
            try Self.write(round: 2, to: store, model: &model)
            // The commit record's append fails: the pieces are there, the checkpoint is not.
            store.emulator!.failCommand(.append, occurrence: 2, with: .writeFault)
            #expect(StoreUnderTest.failure { () throws(StoreError) in _ = try store.checkpoint() }?.code == .device)
            try Self.write(round: 3, to: store, model: &model)
            try store.close()

            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID == first.id)
            #expect(try Self.contents(reopened) == model)
            try reopened.close()
        }
    }

    @Test func aDamagedNewestCheckpointFallsBackToTheOneBeforeAndThenToTheLog() throws {
        guard StoreUnderTest.isEmulated else { return }
        let options = Self.byHand()
        try StoreUnderTest.withStore(options: options) { store, path in
            var model: [[UInt8]: [UInt8]] = [:]
            try Self.write(round: 1, to: store, model: &model)
            let first = try #require(try store.checkpoint())
            try Self.write(round: 2, to: store, model: &model)
            let second = try #require(try store.checkpoint())
            try Self.write(round: 3, to: store, model: &model)
            try store.close()

            try Self.damageFirstPiece(of: second.id, at: path)
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID == first.id)
            #expect(reopened.recovery.skippedCheckpoints == 1)
            #expect(try Self.contents(reopened) == model)
            try reopened.close()

            try Self.damageFirstPiece(of: first.id, at: path)
            let fromLog = try Store.open(path, options: options)
            #expect(fromLog.recovery.checkpointID == nil)
            #expect(fromLog.recovery.skippedCheckpoints == 2)
            #expect(try Self.contents(fromLog) == model)
            try fromLog.close()
        }
    }

    /// Flips bytes in the middle of piece 0 of checkpoint `id`, in the device file.
    private static func damageFirstPiece(of id: UInt64, at path: String) throws {
        let device = try ZonedDevice.open(path)
        let unitBytes = min(device.geometry.maxAppendBytes, 1 << 20)
        let queue = try device.makeQueue(depth: 1, bufferBytes: unitBytes)
        let zones = try queue.reportZones()
        let heads = try ZoneHeads.read(zones, on: queue, unitBytes: unitBytes)
        let locator = try CheckpointLocator.walk(zones, heads: heads, on: queue, unitBytes: unitBytes)
        let piece = try #require(locator.piece(0, of: id))
        let offset = device.emulator!.fileOffset(of: piece.address) + UInt64(piece.peek.blocks * device.geometry.blockSize / 2)
        let file = try #require(FileHandle(forUpdatingAtPath: path))
        try file.seek(toOffset: offset)
        try file.write(contentsOf: Data(repeating: 0xA5, count: 64))
        try file.close()
    }

    /// The mutation check for the tombstone rule: a key live at a cut, deleted after it, its
    /// put and every other older put collected away. Without its tombstone, an open from the
    /// checkpoint would bring the key back, pointing into a zone since reset.
    @Test func aKeyDeletedAfterACheckpointStaysDeletedThroughCollection() throws {
        guard StoreUnderTest.isEmulated else { return }
        var geometry = StoreUnderTest.geometry
        geometry.zoneSizeBytes = 3 << 20
        geometry.zoneCapacityBytes = 2 << 20
        geometry.zoneCount = 16
        geometry.maxAppendBytes = 64 << 10
        var options = Self.byHand(StoreUnderTest.options(cacheBytes: 0, geometry: geometry))
        options.backgroundCollection = false
        try StoreUnderTest.withStore(options: options) { store, path in
            try store.put([UInt8]("doomed"), [UInt8]("must not come back"))
            for number in 0..<300 { try store.put([UInt8]("churn-\(number)"), randomBytes(3000, seed: UInt64(number))) }
            try store.checkpoint()
            try store.delete([UInt8]("doomed"))
            // Every put older than the tombstone is overwritten, so nothing but the checkpoint
            // needs it once collection has run.
            for round in 1...6 {
                for number in 0..<300 { try store.put([UInt8]("churn-\(number)"), randomBytes(3000, seed: UInt64(round * 1000 + number))) }
            }
            var collections = 0
            while try store.collectGarbage() != nil { collections += 1 }
            #expect(collections >= 3)
            try store.close()
            for fromLog in [false, true] {
                var reopening = options
                reopening.rebuildIndexFromLog = fromLog
                let reopened = try Store.open(path, options: reopening)
                #expect((reopened.recovery.checkpointID != nil) != fromLog)
                #expect(try reopened.get([UInt8]("doomed")) == nil)
                #expect(try reopened.get([UInt8]("churn-7")) == randomBytes(3000, seed: 6007))
                try reopened.close()
            }
        }
    }

    /// Collection may survey a zone, a writer overwrite one of its keys, a cut be taken, and only
    /// then the copy of the old value be written. The copy keeps the old sequence number: replay
    /// on top of the checkpoint must not let it win over the newer value the checkpoint holds.
    /// (The race is forced here by writing such a copy by hand.)
    @Test func aCopyOfAnOverwrittenValueWrittenAfterTheCutDoesNotWinAtReplay() throws {
        let options = Self.byHand()
        try StoreUnderTest.withStore(options: options) { store, path in
            let key = [UInt8]("raced")
            try store.put(key, [UInt8]("old value"))
            do {  // the engine reference is dropped before the store is opened again
                let engine = try store.engine()
                let old = try #require(engine.engine.withLock { $0.index.entry(for: key) })
                try store.put(key, [UInt8]("new value"))
                try store.checkpoint()
                let oldBytes = [UInt8]("old value")
                try engine.writes.perform(needsFlush: true) { _, waiter, queue in
                    queue.append(
                        .record(
                            PendingRecord(
                                type: .put, flags: .relocated, sequence: old.sequence, key: key, value: oldBytes,
                                valueRange: 0..<oldBytes.count, mayCompress: false, waiter: waiter, endsOperation: true, stream: .relocation,
                                relocatedFrom: old.location)))
                }
            }
            #expect(try store.get(key) == [UInt8]("new value"))
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID != nil)
            #expect(try reopened.get(key) == [UInt8]("new value"))
            try reopened.close()
        }
    }

    /// A zone partly written at the cut, then collected, reset and written past its old write
    /// pointer: replay must read it from its start, since everything in it is newer than the cut.
    @Test func aZoneResetAndRewrittenSinceTheCutIsReplayedWhole() throws {
        guard StoreUnderTest.isEmulated else { return }  // sized for a small emulated device
        var geometry = StoreUnderTest.geometry
        geometry.zoneSizeBytes = 1 << 20
        geometry.zoneCapacityBytes = 1 << 20
        geometry.zoneCount = 8
        geometry.maxAppendBytes = 64 << 10
        var options = Self.byHand(StoreUnderTest.options(cacheBytes: 0, geometry: geometry))
        options.backgroundCollection = false  // writes that find the device full collect
        try StoreUnderTest.withStore(options: options) { store, path in
            func writeRound(_ round: Int) throws {
                for number in 0..<50 { try store.put([UInt8]("key-\(number)"), randomBytes(3000, seed: UInt64(round * 100 + number))) }
            }
            try writeRound(0)
            var rounds = 1
            var rewrittenPastCut = false
            do {  // the engine reference is dropped before the store is opened again
                let engine = try store.engine()
                func writtenBlocks(_ zone: Int) throws -> UInt64 {
                    try engine.reads.withQueue { queue throws(StoreError) in
                        do throws(DeviceError) { return try queue.reportZones()[zone].writtenBlocks } catch {
                            throw StoreError(error, during: "reporting zones")
                        }
                    }
                }
                let zone = try #require(engine.engine.withLock { $0.index.entry(for: [UInt8]("key-49"))?.location.zone })
                try store.checkpoint()
                let atCut = try writtenBlocks(zone)
                var wasReset = false
                while !rewrittenPastCut && rounds < 2000 {
                    try writeRound(rounds)
                    rounds += 1
                    let now = try writtenBlocks(zone)
                    if now < atCut { wasReset = true }
                    rewrittenPastCut = wasReset && now > atCut
                }
            }
            #expect(rewrittenPastCut, "the zone was not rewritten past its write pointer at the cut")
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID != nil)
            for number in 0..<50 {
                #expect(try reopened.get([UInt8]("key-\(number)")) == randomBytes(3000, seed: UInt64((rounds - 1) * 100 + number)), "key \(number)")
            }
            try reopened.close()
        }
    }

    @Test func checkpointZonesAreReclaimedAsNewerCheckpointsLand() throws {
        guard StoreUnderTest.isEmulated else { return }  // sized for a small emulated device
        var geometry = StoreUnderTest.geometry
        geometry.zoneSizeBytes = 1 << 20
        geometry.zoneCapacityBytes = 1 << 20
        geometry.zoneCount = 12
        geometry.maxAppendBytes = 64 << 10
        let options = Self.byHand(StoreUnderTest.options(geometry: geometry))
        try StoreUnderTest.withStore(options: options) { store, path in
            // 40,000 keys make checkpoints of about 370 KiB: 40 of them fill more than the device.
            var model: [[UInt8]: [UInt8]] = [:]
            for round in 0..<40 {
                for number in 0..<40_000 where number % 40 == round % 40 || round == 0 {
                    let key = [UInt8]("a-rather-long-key-prefix-\(number)")
                    model[key] = randomBytes(20, seed: UInt64(round * 10_000 + number))
                    try store.put(key, model[key]!)
                }
                try store.checkpoint()
            }
            let statistics = try store.statistics()
            #expect(statistics.checkpoints == 40)
            #expect(statistics.checkpointBytes > statistics.zones * statistics.zoneCapacityBytes)
            #expect(statistics.zoneResets > 0)
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID != nil)
            #expect(try Self.contents(reopened) == model)
            try reopened.close()
        }
    }

    @Test func checkpointsRunInTheBackgroundBesideWrites() throws {
        var options = StoreUnderTest.options()
        options.checkpointAfterBytes = 128 << 10
        options.checkpointOnClose = false
        try StoreUnderTest.withStore(options: options) { store, path in
            var model: [[UInt8]: [UInt8]] = [:]
            var round = 1
            while try store.statistics().checkpoints < 3 && round <= 100 {
                try Self.write(round: round, to: store, model: &model)
                round += 1
            }
            #expect(try store.statistics().checkpoints >= 3)
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.checkpointID != nil)
            #expect(try Self.contents(reopened) == model)
            try reopened.close()
        }
    }

    @Test func checkpointOptionsAreChecked() throws {
        var options = StoreUnderTest.options()
        options.checkpointAfterBytes = 0
        #expect(StoreUnderTest.failure { () throws(StoreError) in _ = try Store.open("/nonexistent/x.zns", options: options) }?.code == .invalidOption)
        options = StoreUnderTest.options()
        options.checkpointAfterSeconds = -1
        #expect(StoreUnderTest.failure { () throws(StoreError) in _ = try Store.open("/nonexistent/x.zns", options: options) }?.code == .invalidOption)
    }
}
