import Foundation
import Testing
import ZoneKV
import ZoneKVDevice

/// Device faults, injected through the emulated device: each fails only the operation that met
/// it, with a typed error; the store stays consistent, keeps serving what it can, and reopens
/// with everything that was acknowledged. FAULTS.md lists these rows.
@Suite(.serialized) struct DeviceFaultTests {
    /// No background work, so each planned fault meets the command the test means.
    private static func quiet(cacheBytes: Int = 0) -> StoreOptions {
        var options = StoreUnderTest.options(cacheBytes: cacheBytes)
        options.backgroundCollection = false
        options.checkpointAfterBytes = nil
        options.checkpointAfterSeconds = nil
        return options
    }

    /// Plans one fault, runs `operation`, checks that the fault met it, and returns what the
    /// operation threw (`nil` if it did not).
    private static func failure(
        of store: Store, meeting kind: EmulatedCommandKind, occurrence: Int = 1, with status: InjectedStatus,
        sourceLocation: SourceLocation = #_sourceLocation, _ operation: () throws(StoreError) -> Void
    ) -> StoreError? {
        store.emulator!.failCommand(kind, occurrence: occurrence, with: status)
        let failure = StoreUnderTest.failure(of: operation)
        #expect(store.emulator!.plannedFaultCount == 0, "the planned fault met no command", sourceLocation: sourceLocation)
        return failure
    }

    private static func key(_ number: Int) -> [UInt8] { [UInt8]("key-\(number)") }
    private static func value(_ number: Int, bytes: Int = 700) -> [UInt8] { randomBytes(bytes, seed: UInt64(number) + 1) }

    private static func expectAll(_ store: Store, _ numbers: Range<Int>, bytes: Int = 700, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        for number in numbers {
            #expect(try store.get(key(number)) == value(number, bytes: bytes), "key-\(number)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Reads

    @Test(arguments: [("unrecovered read error", InjectedStatus.unrecoveredReadError, DeviceError.Code.deviceStatus),
                      ("timed out", .timedOut, .timedOut)])
    func aFailedReadFailsThatGetAlone(name: String, status: InjectedStatus, expected: DeviceError.Code) throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            for number in 0..<50 { try store.put(Self.key(number), Self.value(number)) }
            let failure = Self.failure(of: store, meeting: .read, with: status) { () throws(StoreError) in _ = try store.get(Self.key(7)) }
            #expect(failure?.code == .device, "\(name)")
            #expect(failure?.deviceError?.code == expected)
            #expect(failure?.message.contains("reading zone") == true)
            // The same get and every other one work again.
            try Self.expectAll(store, 0..<50)
            try store.close()
            try Self.expectAll(try Store.open(path, options: Self.quiet()), 0..<50)
        }
    }

    @Test func aFailedReadFailsThatScanAlone() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, _ in
            for number in 0..<50 { try store.put(Self.key(number), Self.value(number)) }
            let failure = Self.failure(of: store, meeting: .read, occurrence: 10, with: .unrecoveredReadError) { () throws(StoreError) in _ = try store.scan() }
            #expect(failure?.code == .device)
            let pairs = try store.scan()
            #expect(pairs.count == 50)
            #expect(pairs.allSatisfy { pair in
                Int(String(decoding: pair.key.dropFirst(4), as: UTF8.self)).map { Self.value($0) == pair.value } == true
            })
        }
    }

    // MARK: Writes

    @Test(arguments: [("write fault", InjectedStatus.writeFault, DeviceError.Code.deviceStatus),
                      ("EIO", .systemError(EIO), .systemError), ("timed out", .timedOut, .timedOut)])
    func aFailedAppendFailsItsWriterAloneAndWritesMoveOn(name: String, status: InjectedStatus, expected: DeviceError.Code) throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            for number in 0..<20 { try store.put(Self.key(number), Self.value(number)) }
            let failure = Self.failure(of: store, meeting: .append, with: status) { () throws(StoreError) in try store.put(Self.key(20), Self.value(20)) }
            #expect(failure?.code == .device, "\(name)")
            #expect(failure?.deviceError?.code == expected)
            #expect(try store.get(Self.key(20)) == nil, "a failed put leaves no trace")
            // An overwrite that fails keeps the old value.
            #expect(Self.failure(of: store, meeting: .append, with: status) { () throws(StoreError) in try store.put(Self.key(3), [1, 2, 3]) } != nil)
            #expect(try store.get(Self.key(3)) == Self.value(3))
            for number in 20..<40 { try store.put(Self.key(number), Self.value(number)) }
            try Self.expectAll(store, 0..<40)
            try store.close()
            let reopened = try Store.open(path, options: Self.quiet())
            #expect(reopened.recovery.keys == 40)
            try Self.expectAll(reopened, 0..<40)
        }
    }

    @Test func aFailedFlushFailsItsSyncedWriterAlone() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            try store.put(Self.key(0), Self.value(0), sync: true)
            let failure = Self.failure(of: store, meeting: .flush, with: .writeFault) { () throws(StoreError) in try store.put(Self.key(1), Self.value(1), sync: true) }
            #expect(failure?.code == .device)
            #expect(failure?.message.contains("flush") == true)
            // Whether key-1 is durable is unknown to its writer; the next sync makes it so.
            try store.put(Self.key(2), Self.value(2), sync: true)
            try store.sync()
            try store.close()
            let reopened = try Store.open(path, options: Self.quiet())
            try Self.expectAll(reopened, 0..<3)
        }
    }

    /// Writes values of mixed sizes until several zones were filled, so zones get finished
    /// with capacity left (a unit that does not fit goes to a fresh zone).
    @Test func aFailedZoneFinishDoesNotStopWrites() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            store.emulator!.failCommand(.zoneFinish, with: .writeFault)
            store.emulator!.failCommand(.zoneFinish, occurrence: 2, with: .timedOut)
            let sizes = [700, 90_000, 3_000, 120_000]
            for number in 0..<400 { try store.put(Self.key(number), Self.value(number, bytes: sizes[number % 4])) }
            #expect(store.emulator!.plannedFaultCount == 0, "both finishes failed")
            for number in 0..<400 { #expect(try store.get(Self.key(number)) == Self.value(number, bytes: sizes[number % 4])) }
            try store.close()
            let reopened = try Store.open(path, options: Self.quiet())
            #expect(reopened.recovery.keys == 400)
            for number in stride(from: 0, to: 400, by: 7) {
                #expect(try reopened.get(Self.key(number)) == Self.value(number, bytes: sizes[number % 4]))
            }
        }
    }

    // MARK: Collection

    /// Overwrites every key several times, so sealed zones hold mostly garbage.
    private static func makeGarbage(_ store: Store, keys: Int = 300, rounds: Int = 4) throws {
        for round in 0..<rounds {
            for number in 0..<keys { try store.put(key(number), value(number + round * keys, bytes: 20_000)) }
        }
    }

    private static func expectNewestRound(_ store: Store, keys: Int = 300, rounds: Int = 4, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        for number in 0..<keys {
            #expect(try store.get(key(number)) == value(number + (rounds - 1) * keys, bytes: 20_000), sourceLocation: sourceLocation)
        }
    }

    @Test func aFailedZoneResetLosesNothingAndCollectionGoesOn() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            try Self.makeGarbage(store)
            let failure = Self.failure(of: store, meeting: .zoneReset, with: .writeFault) { () throws(StoreError) in _ = try store.collectGarbage() }
            #expect(failure?.code == .device)
            #expect(failure?.message.contains("resetting zone") == true)
            try Self.expectNewestRound(store)
            // The zone is collected again (its live data is already copied) and reset this time.
            let resetsBefore = try store.statistics().zoneResets
            #expect(try store.collectGarbage() != nil)
            #expect(try store.statistics().zoneResets == resetsBefore + 1)
            try Self.expectNewestRound(store)
            try store.close()
            try Self.expectNewestRound(try Store.open(path, options: Self.quiet()))
        }
    }

    @Test func aZoneCollectionCannotReadIsPassedOver() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            try Self.makeGarbage(store)
            let failure = Self.failure(of: store, meeting: .read, with: .unrecoveredReadError) { () throws(StoreError) in _ = try store.collectGarbage() }
            #expect(failure?.code == .device)
            #expect(failure?.message.contains("to collect it") == true)
            // Say the zone is gone for good: the next collection takes another zone instead of
            // failing on the same one again.
            let victim = failure.flatMap { $0.message.firstMatch(of: /reading zone (\d+)/).flatMap { Int($0.1) } }
            try #require(victim != nil)
            try store.emulator!.degrade(ZoneID(victim!), to: .offline)
            let collected = try store.collectGarbage()
            #expect(collected != nil && collected?.zone != victim)
            try Self.expectNewestRound(store)
            try store.close()
            try Self.expectNewestRound(try Store.open(path, options: Self.quiet()))
        }
    }

    // MARK: Zones wearing out

    @Test func aZoneGoingOfflineFailsReadsOfItsKeysOnly() throws {
        guard StoreUnderTest.isEmulated else { return }
        try StoreUnderTest.withStore(options: Self.quiet()) { store, path in
            for number in 0..<200 { try store.put(Self.key(number), Self.value(number, bytes: 60_000)) }
            guard let lost = try store.zones().first(where: { $0.use == .sealed })?.zone else {
                Issue.record("no sealed zone after 12 MB of puts")
                return
            }
            try store.emulator!.degrade(ZoneID(lost), to: .offline)
            func survey(_ store: Store) throws -> (readable: Int, offline: Int) {
                var readable = 0
                var offline = 0
                for number in 0..<200 {
                    do throws(StoreError) {
                        #expect(try store.get(Self.key(number)) == Self.value(number, bytes: 60_000))
                        readable += 1
                    } catch {
                        #expect(error.deviceError?.code == .zoneOffline, "\(error)")
                        offline += 1
                    }
                }
                return (readable, offline)
            }
            let before = try survey(store)
            #expect(before.offline > 0 && before.readable > 0)
            // Writes go on elsewhere, and collection does not stall on the zone.
            for number in 200..<260 { try store.put(Self.key(number), Self.value(number, bytes: 60_000)) }
            _ = StoreUnderTest.failure { () throws(StoreError) in _ = try store.collectGarbage() }
            _ = try store.collectGarbage()
            try store.close()
            let reopened = try Store.open(path, options: Self.quiet())
            #expect(reopened.recovery.offlineZones == [lost])
            let after = try survey(reopened)
            #expect(after == before, "the checkpoint written at close keeps the lost keys known, and failing")
            for number in 200..<260 { #expect(try reopened.get(Self.key(number)) == Self.value(number, bytes: 60_000)) }
        }
    }
}
