import Foundation
import Testing
import ZoneKV

/// Opening the wrong thing, or filling the device, gets an error that says what happened and
/// loses nothing already written.
@Suite(.serialized) struct StoreOpenErrorTests {
    /// Why opening a store on `path` fails, or `nil` (and the store closed again) if it opens.
    private func openingError(_ path: String, _ options: StoreOptions = StoreUnderTest.options()) -> StoreError? {
        StoreUnderTest.failure { () throws(StoreError) in try Store.open(path, options: options).close() }
    }

    @Test func openingWithoutCreatingNeedsAStore() throws {
        guard StoreUnderTest.isEmulated else { return }
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        var options = StoreUnderTest.options()
        options.creation = .openExisting
        #expect(openingError(path, options)?.code == .device)
        try ZonedDevice.createEmulated(at: path, geometry: StoreUnderTest.geometry)
        #expect(openingError(path, options)?.code == .notFormatted)
        try Store.open(path, options: StoreUnderTest.options()).close()
        let store = try Store.open(path, options: options)
        #expect(store.recovery.created == false)
        try store.close()
    }

    @Test func aDeviceHoldingOtherDataIsNotAStore() throws {
        guard StoreUnderTest.isEmulated else { return }
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        try ZonedDevice.createEmulated(at: path, geometry: StoreUnderTest.geometry)
        do {
            let queue = try ZonedDevice.open(path).makeQueue(depth: 1)
            _ = try queue.append(randomBytes(8192, seed: 3), to: ZoneID(2))
        }
        let error = openingError(path)
        #expect(error?.code == .notAStore)
        #expect(error?.message.contains("format") == true)
        // A format leaves foreign data alone unless told to erase it.
        let refusal = formattingError(path)
        #expect(refusal?.code == .notAStore)
        #expect(refusal?.message.contains("erasingForeignData") == true)
        do {
            let queue = try ZonedDevice.open(path).makeQueue(depth: 1)
            #expect(try queue.read(from: try queue.describe(ZoneID(2)).start, blockCount: 16) == randomBytes(8192, seed: 3))
        }
        let store = try Store.format(path, options: StoreUnderTest.options(), erasingForeignData: true)
        try store.put([UInt8]("k"), [UInt8]("v"))
        #expect(try store.get([UInt8]("k")) == [UInt8]("v"))
        try store.close()
    }

    /// Why formatting `path` (without erasing foreign data) fails, or `nil` if it formats.
    private func formattingError(_ path: String) -> StoreError? {
        StoreUnderTest.failure { () throws(StoreError) in try Store.format(path, options: StoreUnderTest.options()).close() }
    }

    @Test func anotherFormatVersionIsRefusedByName() throws {
        guard StoreUnderTest.isEmulated else { return }
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        try ZonedDevice.createEmulated(at: path, geometry: StoreUnderTest.geometry)
        do {
            var unit = [UInt8](repeating: 0, count: 512)
            unit.replaceSubrange(0..<4, with: Array("ZKVU".utf8))
            unit[4] = 9
            let queue = try ZonedDevice.open(path).makeQueue(depth: 1)
            _ = try queue.append(unit, to: ZoneID(0))
        }
        let error = openingError(path)
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.contains("version 9") == true)
        #expect(formattingError(path)?.code == .unsupportedFormat)
        try Store.format(path, options: StoreUnderTest.options(), erasingForeignData: true).close()
        #expect(openingError(path) == nil)
    }

    @Test func aStoreCopiedToADeviceOfAnotherGeometryIsRefused() throws {
        guard StoreUnderTest.isEmulated else { return }
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        try StoreUnderTest.withStore { store, original in
            for index in 0..<20 { try store.put([UInt8]("key-\(index)"), [UInt8]("value-\(index)")) }
            try store.close()
            // The same zones, block for block, on a namespace with more zones.
            var other = StoreUnderTest.geometry
            other.zoneCount += 8
            try ZonedDevice.createEmulated(at: path, geometry: other)
            let source = try ZonedDevice.open(original).makeQueue(depth: 1)
            let target = try ZonedDevice.open(path).makeQueue(depth: 1)
            for zone in try source.reportZones() where zone.writtenBlocks > 0 {
                let blocks = try source.read(from: zone.start, blockCount: Int(zone.writtenBlocks))
                try target.write(blocks, at: zone.start)
            }
        }
        let error = openingError(path)
        #expect(error?.code == .geometryMismatch)
        #expect(error?.message.contains("32 zones") == true)
        #expect(error?.message.contains("40 zones") == true)
    }

    @Test func aFullDeviceRefusesWritesAndKeepsWhatItHolds() throws {
        guard StoreUnderTest.isEmulated else { return }
        var geometry = StoreUnderTest.geometry
        geometry.zoneCount = 3
        geometry.zoneSizeBytes = 1 << 20
        geometry.zoneCapacityBytes = 1 << 20
        try StoreUnderTest.withStore(options: StoreUnderTest.options(geometry: geometry)) { store, path in
            let (written, failure) = StoreUnderTest.putUntilFailure(store, prefix: "key", valueBytes: 2000, limit: 10_000)
            #expect(failure?.code == .deviceFull)
            #expect(failure?.message.contains("full") == true)
            #expect(written > 500)
            let statistics = try store.statistics()
            #expect(statistics.freeZones == 0)
            #expect(statistics.sealedZones >= 1, "zones filled by the store count as sealed")
            #expect(try store.get([UInt8]("key-0")) == randomBytes(2000, seed: 1))
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options(geometry: geometry))
            #expect(reopened.recovery.keys == written)
            #expect(try reopened.get([UInt8]("key-\(written - 1)")) == randomBytes(2000, seed: UInt64(written)))
        }
    }
}

extension StoreOpenErrorTests {
    @Test func aZoneTurningReadOnlyFailsItsWritersAndTheStoreMovesOn() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore { store, path in
            for index in 0..<50 { try store.put([UInt8]("before-\(index)"), randomBytes(500, seed: UInt64(index) + 1)) }
            // The zone being appended to wears out under the store.
            try store.emulator!.degrade(ZoneID(0), to: .readOnly)
            var failure: StoreError?
            do throws(StoreError) {
                try store.put([UInt8]("unlucky"), [1, 2, 3])
            } catch {
                failure = error
            }
            #expect(failure?.code == .device)
            #expect(failure?.deviceError?.code == .zoneReadOnly)
            // Later writes go to another zone.
            try store.put([UInt8]("after"), [UInt8]("fine"))
            #expect(try store.get([UInt8]("after")) == [UInt8]("fine"))
            #expect(try store.get([UInt8]("before-49")) == randomBytes(500, seed: 50))
            try store.close()
            let reopened = try Store.open(path, options: StoreUnderTest.options())
            #expect(try reopened.get([UInt8]("before-0")) == randomBytes(500, seed: 1))
            #expect(try reopened.get([UInt8]("after")) == [UInt8]("fine"))
            #expect(try reopened.get([UInt8]("unlucky")) == nil)
        }
    }
}

extension StoreOpenErrorTests {
    @Test func formattingOverAReadOnlyZoneLeavesTheOldStoreOut() throws {
        guard StoreUnderTest.isEmulated else { return }
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        do {
            let old = try Store.format(path, options: StoreUnderTest.options())
            for index in 0..<20 { try old.put([UInt8]("old-\(index)"), [UInt8]("gone")) }
            try old.emulator!.degrade(ZoneID(0), to: .readOnly)
            try old.close()
        }
        let fresh = try Store.format(path, options: StoreUnderTest.options())
        #expect(fresh.recovery.created)
        #expect(try fresh.scan().isEmpty, "a format must not bring back the old store's keys")
        try fresh.put([UInt8]("new"), [UInt8]("here"))
        try fresh.close()
        let reopened = try Store.open(path, options: StoreUnderTest.options())
        #expect(try reopened.scan().map(\.key) == [[UInt8]("new")])
        #expect(reopened.recovery.formerStoreRecords >= 20)
        try reopened.close()
    }
}

extension StoreOpenErrorTests {
    @Test func badOptionsAreRefusedBeforeTheDeviceIsTouched() throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        var negativeCache = StoreUnderTest.options()
        negativeCache.cacheBytes = -1
        var noAppends = StoreUnderTest.options()
        noAppends.appendsInFlight = 0
        var negativeThreshold = StoreUnderTest.options()
        negativeThreshold.compression = .lz4(minimumBytes: -5)
        var noCollectionWatermark = StoreUnderTest.options()
        noCollectionWatermark.collectionFreeZones = 0
        for options in [negativeCache, noAppends, negativeThreshold, noCollectionWatermark] {
            #expect(openingError(path, options)?.code == .invalidOption, "options \(options)")
        }
    }

    @Test func aDeviceWithATinyAppendLimitIsRefusedByName() throws {
        guard StoreUnderTest.isEmulated else { return }
        var geometry = StoreUnderTest.geometry
        geometry.maxAppendBytes = 32 << 10
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        let error = openingError(path, StoreUnderTest.options(geometry: geometry))
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains("ZASL") == true)
    }
}

extension StoreOpenErrorTests {
    private static let keysBehindTheBack = 300

    private static func valueBehindTheBack(_ number: Int) -> [UInt8] { randomBytes(20_000, seed: UInt64(number) + 1) }

    /// Formats a store on `path`, puts the keys, closes it, and returns the zones holding live
    /// records (the first is the one the tests take away) and the device's geometry.
    private static func fillAndClose(_ path: String, options: StoreOptions) throws -> (holding: [Int], geometry: DeviceGeometry) {
        let store = try Store.format(path, options: options, erasingForeignData: true)
        for number in 0..<keysBehindTheBack { try store.put([UInt8]("key-\(number)"), valueBehindTheBack(number)) }
        let holding = try store.zones().filter { [.user, .sealed, .draining].contains($0.use) && $0.liveBytes > 0 }.map(\.zone)
        try store.close()
        return (holding, store.geometry)
    }

    /// Checks the open names `victim` as changed outside ZoneKV, then opens from the log alone
    /// (the way out the error names) and returns the store and how many keys it kept, each
    /// with its own value.
    private func expectDetectedThenRebuild(_ path: String, victim: Int, options: StoreOptions) throws -> (store: Store, kept: Int) {
        let error = openingError(path, options)
        #expect(error?.code == .deviceChanged)
        #expect(error?.message.contains("zone \(victim) was reset or overwritten outside ZoneKV") == true, "\(String(describing: error))")
        #expect(error?.message.contains("rebuildIndexFromLog") == true)
        var rebuilding = options
        rebuilding.rebuildIndexFromLog = true
        let rebuilt = try Store.open(path, options: rebuilding)
        var kept = 0
        for number in 0..<Self.keysBehindTheBack {
            guard let value = try rebuilt.get([UInt8]("key-\(number)")) else { continue }
            #expect(value == Self.valueBehindTheBack(number))
            kept += 1
        }
        #expect(kept < Self.keysBehindTheBack, "the records in zone \(victim) are gone")
        return (rebuilt, kept)
    }

    /// Another program (nvme-cli in the guest; the device layer on its own on the emulated
    /// device) resets a zone holding live records: the next open says so instead of serving an
    /// index that points at nothing, and the way out it names works.
    @Test func aZoneResetBehindTheStoresBackIsDetectedOnOpen() throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        let (holding, geometry) = try Self.fillAndClose(path, options: StoreUnderTest.options())
        let victim = try #require(holding.first)
        if StoreUnderTest.realDevice != nil, let nvme = ["/usr/sbin/nvme", "/usr/bin/nvme"].first(where: FileManager.default.isExecutableFile) {
            // In the guest: nvme-cli, through the kernel's driver, as an administrator would.
            let command = "\(nvme) zns reset-zone \(path) --start-lba=\(geometry.startBlock(of: ZoneID(victim)).rawValue) >/dev/null 2>&1"
            let stream = try #require(popen(command, "r"))
            #expect(pclose(stream) == 0, "\(command) failed")
        } else {
            let device = try ZonedDevice.open(path)
            try device.makeQueue(depth: 1).manage(.reset, ZoneID(victim))
        }
        let (rebuilt, kept) = try expectDetectedThenRebuild(path, victim: victim, options: StoreUnderTest.options())
        defer { try? rebuilt.close() }
        #expect(kept > 0 || holding.count == 1, "the records in other zones are kept")
    }

    /// Another program resets a zone and writes its own data there: the zone is not empty, but
    /// it holds no unit of the store while the checkpoint places records in it, so the open
    /// says so; opened from the log alone, the store serves every other record and checks
    /// healthy, and no read ever returns the foreign bytes as a value.
    @Test func aZoneRewrittenBehindTheStoresBackIsDetectedOnOpen() throws {
        let (path, cleanUp) = StoreUnderTest.makeDevicePath()
        defer { cleanUp() }
        let options = StoreUnderTest.options(cacheBytes: 0)
        let victim = try #require(try Self.fillAndClose(path, options: options).holding.first)
        do {
            let device = try ZonedDevice.open(path)
            let queue = try device.makeQueue(depth: 1)
            try queue.manage(.reset, ZoneID(victim))
            _ = try queue.append(randomBytes(8 * device.geometry.blockSize, seed: 99), to: ZoneID(victim))
        }
        let (rebuilt, _) = try expectDetectedThenRebuild(path, victim: victim, options: options)
        defer { try? rebuilt.close() }
        #expect(try rebuilt.check().isHealthy, "what is left is whole")
    }
}
