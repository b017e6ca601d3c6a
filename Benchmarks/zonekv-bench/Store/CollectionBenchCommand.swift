import ArgumentParser
import Foundation
import Synchronization
import YCSB
import ZoneKV

/// `zonekv-bench collection`: garbage collection in steady state. Fills a device to `--fill`,
/// then runs YCSB-A style updates (zipfian, one writer) while a reader measures gets, and
/// reports write and space amplification, read latency with and without collection running,
/// and the time a reopen takes.
struct CollectionBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collection",
        abstract: "Garbage collection in steady state: amplification, read latency under collection, reopen time.",
        discussion: """
            Loads records until live data is --fill of the device and lets collection settle,
            measures zipfian gets alone (the reference: no writes, no collection), then runs
            zipfian updates from one writer while a reader goes on with zipfian gets. Once the
            updates have written --warm-up-capacities times the device (steady state), it
            measures for --seconds with collection running:
            write amplification (device bytes appended per user byte), space amplification
            (zones in use per live byte), and the reader's latency beside the reference. Last,
            the store is closed and reopened. The device is formatted: its data is lost.
            """)

    @OptionGroup var measurement: MeasurementOptions

    @Option(help: "Live data as a share of the device's capacity.")
    var fill: Double = 0.8

    @Option(help: "Bytes per value.")
    var valueBytes: Int = 1000

    @Option(help: "Zones of a new emulated device.")
    var zones: Int = 32

    @Option(name: .customLong("zone-mib"), help: "Writable MiB per zone of a new emulated device.")
    var zoneMiB: Int = 16

    @Option(help: "Device capacities the updates write before measuring.")
    var warmUpCapacities: Double = 2

    func run() throws {
        guard fill > 0, fill < 1, valueBytes > 0, zones >= 4, zoneMiB > 0, warmUpCapacities >= 0 else {
            throw ValidationError("--fill must be between 0 and 1; sizes positive; at least 4 zones")
        }
        var geometry = EmulatedGeometry()
        geometry.blockSize = 512
        geometry.zoneCount = zones
        geometry.zoneCapacityBytes = UInt64(zoneMiB) << 20
        geometry.zoneSizeBytes = UInt64(zoneMiB) << 20
        let path = try measurement.devicePath(creatingWith: geometry, name: "collection")
        defer { measurement.removeTemporaryDevice(path) }
        var options = StoreOptions(cacheBytes: 0)
        options.emulatedGeometry = geometry
        options.compression = .none
        let store = try Store.format(path, options: options, erasingForeignData: true)
        let description = try store.statistics()
        let capacity = description.zones * description.zoneCapacityBytes
        let records = Int(Double(capacity) * fill) / (valueBytes + 40)
        print("device \(path): \(description.zones) zones of \(description.zoneCapacityBytes >> 20) MiB writable; \(records) records of \(valueBytes) bytes (\(Int(fill * 100))% fill)")

        var value = [UInt8](repeating: 0, count: valueBytes)
        var random = SystemRandomNumberGenerator()
        for index in 0..<valueBytes { value[index] = UInt8.random(in: 0...255, using: &random) }
        for record in 0..<records { try store.put(KeyNames.key(UInt64(record)), value) }

        // The reader measures zipfian gets throughout, into the phase's recorder: first beside
        // updates that still find free zones (no collection: the reference), then, after the
        // warm-up, beside updates in steady state with collection running.
        enum Phase: Int { case idle = 0, reference = 1, underCollection = 2, stop = 3 }
        let phase = Atomic<Int>(Phase.idle.rawValue)
        let recorded = Mutex([LatencyRecorder(), LatencyRecorder()])
        let reader = Thread {
            var keys = ScrambledZipfianGenerator(itemCount: UInt64(records), seed: 2)
            while true {
                let current = phase.load(ordering: .relaxed)
                if current == Phase.stop.rawValue { return }
                var batch = LatencyRecorder()
                try? batch.measure(count: 256) { _ in _ = try store.get(KeyNames.key(keys.next())) }
                let slot = current - Phase.reference.rawValue
                if (0...1).contains(slot), phase.load(ordering: .relaxed) == current { recorded.withLock { $0[slot].merge(batch) } }
            }
        }
        reader.start()
        var updates = ScrambledZipfianGenerator(itemCount: UInt64(records), seed: 3)
        func update() throws { try store.put(KeyNames.key(updates.next()), value) }

        let loaded = try store.statistics()
        print("loaded: \(loaded.freeZones) free zones, \(loaded.sealedZones) sealed, \(loaded.collections) zones collected during the load")
        // The reference: gets while nothing else runs. Collection the load set off (single
        // puts leave block padding that counts as garbage) is let finish first.
        var settled = loaded.collections
        for _ in 0..<300 {
            usleep(200_000)
            let now = try store.statistics().collections
            if now == settled { break }
            settled = now
        }
        phase.store(Phase.reference.rawValue, ordering: .relaxed)
        usleep(useconds_t(measurement.seconds * 1_000_000))
        phase.store(Phase.idle.rawValue, ordering: .relaxed)
        let referenceCollections = try store.statistics().collections - settled

        let warmUpBytes = Int(Double(capacity) * warmUpCapacities)
        print("updating until \(warmUpBytes >> 20) MiB are written...")
        var written = 0
        while written < warmUpBytes {
            try update()
            written += valueBytes
        }
        let before = try store.statistics()
        phase.store(Phase.underCollection.rawValue, ordering: .relaxed)
        var writer = LatencyRecorder()
        try writer.measure(seconds: measurement.seconds) { _ in try update() }
        phase.store(Phase.stop.rawValue, ordering: .relaxed)
        let after = try store.statistics()
        while !reader.isFinished { usleep(1000) }
        let (alone, underCollection) = recorded.withLock { ($0[0], $0[1]) }

        let appended = after.appendedBytes - before.appendedBytes
        let user = after.userBytes - before.userBytes
        try store.close()
        let reopened = try Store.open(path, options: options)
        let reopenSeconds = reopened.recovery.seconds
        try reopened.close()

        var table = TablePrinter(header: ["measure", "value", "reference (same run)", "ratio"])
        table.add(["updates (puts/s), one writer", formatRate(writer.operationsPerSecond), "-", "-"])
        table.add([
            "write amplification (appended / user bytes)", format1(Double(appended) / Double(max(user, 1))), "target 1.3", "-",
        ])
        table.add(["space amplification (zones in use / live bytes)", format1(after.spaceAmplification), "target 1.25", "-"])
        table.add([
            "zones collected while measured", "\(after.collections - before.collections)", "\(referenceCollections) (gets alone)", "-",
        ])
        table.add([
            "get p50 µs, beside updates and collection", format1(underCollection.microseconds(atPercentile: 50)),
            format1(alone.microseconds(atPercentile: 50)) + " (gets alone)",
            formatPercent(underCollection.microseconds(atPercentile: 50) / alone.microseconds(atPercentile: 50)),
        ])
        table.add([
            "get p99 µs, beside updates and collection", format1(underCollection.microseconds(atPercentile: 99)),
            format1(alone.microseconds(atPercentile: 99)) + " (gets alone)",
            formatPercent(underCollection.microseconds(atPercentile: 99) / alone.microseconds(atPercentile: 99)),
        ])
        table.add(["reopen (s), \(records) keys, from the checkpoint written at close", format1(reopenSeconds), "-", "-"])
        print(table.render())
    }
}
