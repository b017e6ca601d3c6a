import Foundation
import Synchronization
import Testing
@testable import ZoneKV

/// Garbage collection on a small emulated device: overwritten and deleted data is reclaimed
/// with Zone Reset, live data is never lost, deleted keys stay deleted, and writes slow down
/// rather than fail while space can be reclaimed.
@Suite(.serialized) struct StoreCollectionTests {
    /// 16 zones of 2 MiB writable (3 MiB each) and 64 KiB appends: collection has work after a
    /// few megabytes.
    private static var geometry: EmulatedGeometry {
        var geometry = StoreUnderTest.geometry
        geometry.zoneSizeBytes = 3 << 20
        geometry.zoneCapacityBytes = 2 << 20
        geometry.zoneCount = 16
        geometry.maxAppendBytes = 64 << 10
        return geometry
    }

    private static var capacityBytes: Int { Int(geometry.zoneCapacityBytes) * geometry.zoneCount }

    /// A value that says which key and version it is, so a reader can check what it got.
    private static func value(key: Int, version: Int, bytes: Int) -> [UInt8] {
        var value = [UInt8](repeating: UInt8(truncatingIfNeeded: key &* 31 &+ version), count: bytes)
        withUnsafeBytes(of: UInt32(key).littleEndian) { value.replaceSubrange(0..<4, with: $0) }
        withUnsafeBytes(of: UInt32(version).littleEndian) { value.replaceSubrange(4..<8, with: $0) }
        return value
    }

    private static func key(_ number: Int) -> [UInt8] { [UInt8]("key-\(number)") }

    /// Options for tests that collect by hand: no background collection.
    private static var collectingByHand: StoreOptions {
        var options = StoreUnderTest.options(cacheBytes: 0, geometry: geometry)
        options.backgroundCollection = false
        return options
    }

    /// Collects until no zone is worth it (or `limit` collections); returns how many ran.
    @discardableResult
    private static func collectAll(_ store: Store, limit: Int = .max) throws -> Int {
        var collected = 0
        while collected < limit, try store.collectGarbage() != nil { collected += 1 }
        return collected
    }

    /// Whether `value` is one of the values `value(key:version:bytes:)` gives `key`.
    private static func isSomeVersion(_ value: [UInt8], of key: Int, bytes: Int) -> Bool {
        guard value.count == bytes else { return false }
        let version = Int(UInt32(littleEndian: value.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) }))
        return value == Self.value(key: key, version: version, bytes: bytes)
    }

    @Test func overwritesAtEightyPercentFillRunTenTimesThroughTheDevice() throws {
        try overwriteAtEightyPercentFill(capacities: 10, geometry: Self.geometry)
    }

    /// The user stream, the relocation stream and zones waiting for Zone Finish share the
    /// device's limits: four active zones must do.
    @Test func fourActiveZonesAreEnoughForWritesAndCollection() throws {
        var geometry = Self.geometry
        geometry.maxOpenZones = 4
        geometry.maxActiveZones = 4
        try overwriteAtEightyPercentFill(capacities: 3, geometry: geometry)
    }

    /// Loads keys to 80% of the device, then overwrites them at random until `capacities`
    /// times the device is written, with a reader checking values throughout; every value is
    /// right at the end and after a reopen.
    private func overwriteAtEightyPercentFill(capacities: Int, geometry: EmulatedGeometry) throws {
        guard StoreUnderTest.isEmulated else { return }
        var options = StoreUnderTest.options(cacheBytes: 0, geometry: geometry)
        options.compression = .none
        let valueBytes = 4000
        let keys = Self.capacityBytes * 8 / 10 / (valueBytes + 40)
        try StoreUnderTest.withStore(options: options) { store, path in
            var versions = [Int](repeating: 0, count: keys)
            for key in 0..<keys { try store.put(Self.key(key), Self.value(key: key, version: 0, bytes: valueBytes)) }
            // A reader checks values, by gets and by short scans, while zones are collected under it.
            let stop = Atomic<Bool>(false)
            let readerFailures = Mutex<[String]>([])
            let reader = Thread {
                var number = 0
                while !stop.load(ordering: .relaxed) {
                    number = (number &+ 7919) % keys
                    do {
                        if number % 16 == 0 {
                            for pair in try store.scan(from: Self.key(number), limit: 20) {
                                let scanned = Int(String(decoding: pair.key.dropFirst(4), as: UTF8.self)) ?? -1
                                if !Self.isSomeVersion(pair.value, of: scanned, bytes: valueBytes) {
                                    readerFailures.withLock { $0.append("a scan returned a damaged value") }
                                }
                            }
                        } else if let value = try store.get(Self.key(number)) {
                            if !Self.isSomeVersion(value, of: number, bytes: valueBytes) {
                                readerFailures.withLock { $0.append("key \(number) has a damaged value") }
                            }
                        } else {
                            readerFailures.withLock { $0.append("key \(number) missing") }
                        }
                    } catch {
                        readerFailures.withLock { $0.append("key \(number): \(error)") }
                    }
                }
            }
            reader.start()
            var random = SystemRandomNumberGenerator()
            var written = keys * valueBytes
            while written < capacities * Self.capacityBytes {
                let key = Int.random(in: 0..<keys, using: &random)
                versions[key] += 1
                try store.put(Self.key(key), Self.value(key: key, version: versions[key], bytes: valueBytes))
                written += valueBytes
            }
            stop.store(true, ordering: .relaxed)
            while !reader.isFinished { usleep(1000) }
            let failures = readerFailures.withLock { $0 }
            #expect(failures.isEmpty, "\(failures.prefix(5))")
            let statistics = try store.statistics()
            print(
                "endurance (\(geometry.maxActiveZones ?? 0) active zones): \(written >> 20) MiB written to \(Self.capacityBytes >> 20) MiB at 80% fill: write amplification \(statistics.writeAmplification), space amplification \(statistics.spaceAmplification), \(statistics.zoneResets) zone resets, \(statistics.relocatedBytes >> 20) MiB relocated"
            )
            #expect(statistics.zoneResets > 0)
            #expect(statistics.collections >= statistics.zoneResets)
            #expect(statistics.relocatedBytes > 0)
            #expect(statistics.writeAmplification > 1)
            #expect(statistics.liveBytes >= keys * valueBytes)
            #expect(statistics.spaceAmplification >= 1)
            for key in 0..<keys { #expect(try store.get(Self.key(key)) == Self.value(key: key, version: versions[key], bytes: valueBytes)) }
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.keys == keys)
            #expect(reopened.recovery.seconds > 0)
            for key in 0..<keys { #expect(try reopened.get(Self.key(key)) == Self.value(key: key, version: versions[key], bytes: valueBytes)) }
            try reopened.close()
        }
    }

    @Test func aDeletedKeyStaysDeletedAfterItsTombstoneZoneIsCollected() throws {
        guard StoreUnderTest.isEmulated else { return }
        let options = Self.collectingByHand
        try StoreUnderTest.withStore(options: options) { store, path in
            // The doomed key sits among data that stays live (a zone and more of it), so its zone
            // is not collected.
            try store.put([UInt8]("doomed"), [UInt8]("must not come back"))
            for number in 0..<800 { try store.put([UInt8]("keeper-\(number)"), randomBytes(3000, seed: UInt64(number) + 1)) }
            // Its tombstone sits among data that is overwritten soon after: that zone goes.
            for round in 0..<3 {
                for number in 0..<300 {
                    if round == 0 && number == 150 { try store.delete([UInt8]("doomed")) }
                    try store.put([UInt8]("churn-\(number)"), randomBytes(3000, seed: UInt64(round * 1000 + number)))
                }
            }
            #expect(try Self.collectAll(store) > 0)
            #expect(try store.get([UInt8]("doomed")) == nil)
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(try reopened.get([UInt8]("doomed")) == nil, "a collected tombstone let an older value back")
            #expect(try reopened.get([UInt8]("keeper-799")) == randomBytes(3000, seed: 800))
            #expect(try reopened.get([UInt8]("churn-299")) == randomBytes(3000, seed: 2299))
            try reopened.close()
        }
    }

    @Test func batchesAndLargeValuesSurviveTheirZonesBeingCollected() throws {
        guard StoreUnderTest.isEmulated else { return }
        let options = Self.collectingByHand
        try StoreUnderTest.withStore(options: options) { store, path in
            var batch = WriteBatch()
            for number in 0..<40 { batch.put([UInt8]("batch-\(number)"), randomBytes(2000, seed: UInt64(number) + 7)) }
            batch.put([UInt8]("large"), randomBytes(300_000, seed: 99))
            try store.write(batch)
            for round in 0..<4 {
                for number in 0..<200 { try store.put([UInt8]("churn-\(number)"), randomBytes(3000, seed: UInt64(round * 1000 + number))) }
            }
            #expect(try Self.collectAll(store) > 0)
            #expect(try store.statistics().relocatedBytes > 0)
            try store.close()
            let reopened = try Store.open(path, options: options)
            #expect(reopened.recovery.incompleteBatches == 0)
            for number in 0..<40 { #expect(try reopened.get([UInt8]("batch-\(number)")) == randomBytes(2000, seed: UInt64(number) + 7)) }
            #expect(try reopened.get([UInt8]("large")) == randomBytes(300_000, seed: 99))
            try reopened.close()
        }
    }

    @Test func batchesSplitAcrossZonesStayWholeAsTheirZonesAreCollectedOneByOne() throws {
        guard StoreUnderTest.isEmulated else { return }
        var options = Self.collectingByHand
        options.checkpointOnClose = false  // each reopen reads the log
        try StoreUnderTest.withStore(options: options) { first, path in
            var store = first
            // Batches between runs of soon-overwritten data: some straddle a zone boundary, so
            // collection copies part of a batch while the rest and its commit stay behind.
            let batches = 12
            for number in 0..<batches {
                for churn in 0..<200 { try store.put([UInt8]("churn-\(churn)"), randomBytes(3000, seed: UInt64(number * 1000 + churn))) }
                var batch = WriteBatch()
                for member in 0..<40 { batch.put([UInt8]("batch-\(number)-\(member)"), randomBytes(3000, seed: UInt64(number * 100 + member) + 1)) }
                try store.write(batch)
            }
            for churn in 0..<200 { try store.put([UInt8]("churn-\(churn)"), [UInt8]("short")) }
            // Until nothing is worth collecting (bounded, in case collection kept finding work).
            var collected = 0
            while collected < 24, try Self.collectAll(store, limit: 1) == 1 {
                collected += 1
                try store.close()
                store = try Store.open(path, options: options)
                for number in 0..<batches {
                    for member in 0..<40 {
                        #expect(
                            try store.get([UInt8]("batch-\(number)-\(member)")) == randomBytes(3000, seed: UInt64(number * 100 + member) + 1),
                            "batch \(number) member \(member) after \(collected) collections")
                    }
                }
            }
            #expect(collected >= 3)
            try store.close()
        }
    }

    /// A large value's chunks are live data in their zones: collection leaves zones holding
    /// them alone (it would otherwise copy whole values over and over for nothing), and the
    /// count survives reopening, from a checkpoint or from the log.
    @Test func largeValuesCountAsLiveDataAndAreNotCollectedForNothing() throws {
        guard StoreUnderTest.isEmulated else { return }
        let options = Self.collectingByHand
        try StoreUnderTest.withStore(options: options) { store, path in
            let valueBytes = 600_000
            for number in 0..<8 { try store.put([UInt8]("large-\(number)"), randomBytes(valueBytes, seed: UInt64(number) + 1)) }
            let live = try store.statistics().liveBytes
            #expect(live >= 8 * valueBytes && live < 9 * valueBytes)
            #expect(try store.collectGarbage() == nil, "zones of live chunks were collected")
            for number in 0..<4 { try store.put([UInt8]("large-\(number)"), randomBytes(valueBytes, seed: UInt64(number) + 100)) }
            #expect(abs(try store.statistics().liveBytes - live) < valueBytes / 10)
            try Self.collectAll(store)
            #expect(abs(try store.statistics().liveBytes - live) < valueBytes / 10)
            let before = try store.statistics().liveBytes
            try store.close()
            for fromLog in [false, true] {
                var reopening = options
                reopening.rebuildIndexFromLog = fromLog
                reopening.checkpointOnClose = false
                let reopened = try Store.open(path, options: reopening)
                #expect(try reopened.statistics().liveBytes == before, "reopened \(fromLog ? "from the log" : "from the checkpoint")")
                #expect(try reopened.get([UInt8]("large-1")) == randomBytes(valueBytes, seed: 101))
                #expect(try reopened.get([UInt8]("large-7")) == randomBytes(valueBytes, seed: 8))
                try reopened.close()
            }
            let reopened = try Store.open(path, options: options)
            for number in 0..<8 { try reopened.delete([UInt8]("large-\(number)")) }
            #expect(try reopened.statistics().liveBytes < valueBytes / 10)
            try reopened.close()
        }
    }

    /// A get that looked a key up just before collection moved its record and reset the zone
    /// reads garbage where the record was: it must look again, not report damage.
    @Test func aReadOvertakenByCollectionLooksAgain() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.collectingByHand) { store, _ in
            let key = [UInt8]("stays")
            try store.put(key, randomBytes(3000, seed: 42))
            for round in 0..<3 {
                for number in 0..<300 { try store.put([UInt8]("churn-\(number)"), randomBytes(3000, seed: UInt64(round * 1000 + number))) }
            }
            let engine = try store.engine()
            let (stale, changes) = engine.engine.withLock { ($0.index.entry(for: key)!, $0.index.changes) }
            while engine.engine.withLock({ $0.index.entry(for: key)!.location }) == stale.location {
                guard try store.collectGarbage() != nil else { break }
            }
            #expect(engine.engine.withLock { $0.index.entry(for: key)!.location } != stale.location, "the key's zone was never collected")
            // Its old zone was reset (and may be written again): the stale read says "moved".
            #expect(try engine.readValue(of: key, at: stale, indexChanges: changes) == nil)
            #expect(try store.get(key) == randomBytes(3000, seed: 42))
        }
    }

    @Test func backgroundCollectionReclaimsZonesWithoutBeingAsked() throws {
        guard StoreUnderTest.isEmulated else { return }
        var options = StoreUnderTest.options(cacheBytes: 0, geometry: Self.geometry)
        options.collectionFreeZones = 6
        try StoreUnderTest.withStore(options: options) { (store: Store, _: String) throws in
            // Overwrites until free zones reach the watermark; the writer never finds the device
            // full, so any collection is the background thread's.
            var round = 0
            while try store.statistics().freeZones > 6 {
                for number in 0..<100 { try store.put([UInt8]("churn-\(number)"), randomBytes(3000, seed: UInt64(round * 1000 + number))) }
                round += 1
            }
            var statistics = try store.statistics()
            for _ in 0..<500 where statistics.zoneResets == 0 {
                usleep(10_000)
                statistics = try store.statistics()
            }
            #expect(statistics.zoneResets > 0, "no zone was collected in 5 s at the watermark")
            #expect(try store.get([UInt8]("churn-99")) == randomBytes(3000, seed: UInt64((round - 1) * 1000 + 99)))
        }
    }

    @Test func theDeviceIsFullOnlyWhenLiveDataFillsIt() throws {
        guard StoreUnderTest.isEmulated else { return }
        let options = StoreUnderTest.options(cacheBytes: 0, geometry: Self.geometry)
        try StoreUnderTest.withStore(options: options) { (store: Store, _: String) throws in
            let (written, failure) = StoreUnderTest.putUntilFailure(store, prefix: "unique", valueBytes: 4000, limit: 100_000)
            #expect(failure?.code == .deviceFull)
            #expect(failure?.message.contains("live data") == true)
            #expect(written * 4000 > Self.capacityBytes * 3 / 4, "only \(written) values fit")
            #expect(try store.get([UInt8]("unique-0")) == randomBytes(4000, seed: 1))
        }
    }
}
