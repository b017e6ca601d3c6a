import ArgumentParser
import Foundation
import ZoneKV

/// `zonekv-bench store`: the store's puts, gets and scans, beside fio on the same device in the
/// same run.
struct StoreBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Store put, get and scan throughput and latency, beside fio on the same device.",
        discussion: """
            Loads --records records (YCSB-style hashed keys, random values), then measures gets
            (uniform, zipfian as YCSB-C, uncached, one hot key) and scans. fio at queue depth 1 on
            the same device is the reference: for the load, writes of what one lone put appends;
            for gets, 4 KiB random reads. Get phases alternate with fio after a warm-up. The device
            is formatted: its data is lost.
            """)

    @OptionGroup var measurement: MeasurementOptions

    @Option(help: "Records to load.")
    var records: Int = 1_000_000

    @Option(help: "Bytes per value.")
    var valueBytes: Int = 1000

    @Option(help: "Threads putting during the load (group commit packs their puts together).")
    var loadThreads: Int = 1

    @Option(help: "Puts per write batch during the load (1: single puts).")
    var loadBatch: Int = 1

    @Flag(help: "Stop after the load (for index memory at many keys).")
    var loadOnly = false

    @Option(name: .customLong("cache-mib"), help: "Value cache in MiB for the cached phases.")
    var cacheMiB: Int = 256

    @Option(help: "Block size of a new emulated device: 512 or 4096.")
    var blockBytes: Int = 512

    func run() throws {
        guard records > 0, valueBytes >= 0, loadThreads > 0, loadBatch > 0, cacheMiB >= 0 else {
            throw ValidationError("--records, --load-threads and --load-batch must be positive; sizes not negative")
        }
        let (seconds, rounds) = (measurement.seconds, measurement.rounds)
        let path = try measurement.devicePath(creatingWith: benchGeometry(), name: "store")
        defer { measurement.removeTemporaryDevice(path) }

        // The device is opened here only to describe it; the store opens it again.
        let (fio, geometry): (FioReference?, DeviceGeometry) = try {
            let zoned = try ZonedDevice.open(path)
            return (measurement.fioReference(for: zoned), zoned.geometry)
        }()
        print("device \(path): \(geometry.zoneCount) zones of \(geometry.zoneSizeBytes >> 20) MiB (\(geometry.zoneCapacityBytes >> 20) MiB writable)")
        let workloads = StoreWorkloads(records: records, valueBytes: valueBytes)
        var table = TablePrinter(header: ["workload", "ZoneKV", "p50 µs", "p99 µs", "fio QD1 (same run)", "ZoneKV / fio"])

        // Writes: fio's reference first, while the device holds nothing a store needs. It writes
        // what one lone put appends: one unit of one record, in whole blocks.
        let putBytes = (32 + 16 + 24 + valueBytes + geometry.blockSize - 1) / geometry.blockSize * geometry.blockSize
        // Fresh zones, as the store's puts get: no warm-up over the same range.
        let fioWrites = try fio.map { fio -> Double in
            try fio.singleWrites(zones: 0..<min(4, geometry.zoneCount), blockBytes: putBytes, seconds: seconds)
        }
        var options = StoreOptions(cacheBytes: cacheMiB << 20)
        options.emulatedGeometry = benchGeometry()
        var store: Store? = try Store.format(path, options: options, erasingForeignData: true)
        print("loading \(records) records of \(valueBytes) bytes with \(loadThreads) thread(s)...")
        let load = try workloads.load(store!, threads: loadThreads, batch: loadBatch)
        let loaded = try store!.statistics()
        let loadName = loadBatch == 1 ? "load: put \(valueBytes) B" : "load: batches of \(loadBatch) puts of \(valueBytes) B (puts/s)"
        table.add(row("\(loadName), \(loadThreads) thread(s)", load, reference: loadBatch == 1 ? fioWrites : nil, scale: Double(loadBatch)))
        if loadOnly {
            print(table.render())
            print("index: \(loaded.keys) keys, \(format1(loaded.indexBytesPerKey)) bytes per key beyond the key bytes (\(loaded.indexBytes >> 20) MiB in all)")
            try store!.close()
            return
        }
        let dataZones = 0..<max(1, loaded.sealedZones + 1)

        func compared(_ name: String, _ phase: (Int) throws -> LatencyRecorder) throws {
            _ = try phase(0)  // warm-up
            var ours = LatencyRecorder()
            var theirs: [Double] = []
            var hits = 0
            var misses = 0
            for round in 1...rounds {
                let before = try store!.statistics()
                ours.merge(try phase(round))
                let after = try store!.statistics()
                hits += after.cacheHits - before.cacheHits
                misses += after.cacheMisses - before.cacheMisses
                if let fio { theirs.append(try fio.randomReads(zones: dataZones, depth: 1, seconds: seconds, blockBytes: 4096)) }
            }
            let hitShare = hits + misses == 0 ? "" : ", \(formatPercent(Double(hits) / Double(hits + misses))) hits"
            table.add(row(name + hitShare, ours, reference: theirs.isEmpty ? nil : theirs.reduce(0, +) / Double(theirs.count)))
        }
        try compared("get, uniform, \(cacheMiB) MiB cache") { try workloads.uniformGets(store!, seconds: seconds, seed: UInt64($0 + 1)) }
        try compared("get, zipfian (YCSB-C), \(cacheMiB) MiB cache") { try workloads.zipfianGets(store!, seconds: seconds, seed: UInt64($0 + 1)) }
        let hot = try workloads.hotKeyGets(store!, seconds: seconds)
        table.add([
            "get, one cached key (ns per get)", format1(hot.meanNanoseconds), format1(hot.microseconds(atPercentile: 50)),
            format1(hot.microseconds(atPercentile: 99)), "-", "-",
        ])
        let statistics = try store!.statistics()
        try store!.close()
        store = nil

        // Uncached: reopen with no cache (which also measures recovery from the log).
        options.cacheBytes = 0
        options.creation = .openExisting
        let clock = ContinuousClock()
        let opening = clock.now
        store = try Store.open(path, options: options)
        let recoverySeconds = (clock.now - opening).seconds
        try compared("get, uniform, no cache") { try workloads.uniformGets(store!, seconds: seconds, seed: UInt64($0 + 10)) }
        let scans = try workloads.scans(store!, length: 100, seconds: seconds)
        table.add(row("scan 100 keys, no cache (keys/s)", scans, reference: nil, scale: 100))
        try store!.close()

        print(table.render())
        print("")
        print("index: \(statistics.keys) keys, \(format1(statistics.indexBytesPerKey)) bytes per key beyond the key bytes (\(statistics.indexBytes >> 20) MiB in all)")
        print("group commit: \(format1(loaded.recordsPerAppend)) records per append during the load; \(loaded.appends) appends, \(loaded.appendedBytes >> 20) MiB written")
        print("compression: \(format1(loaded.compressionRatio))x; recovery: \(loaded.keys) keys from the log in \(format1(recoverySeconds)) s")
    }

    private func row(_ name: String, _ recorder: LatencyRecorder, reference: Double?, scale: Double = 1) -> [String] {
        let rate = recorder.operationsPerSecond * scale
        return [
            name, formatRate(rate), format1(recorder.microseconds(atPercentile: 50)), format1(recorder.microseconds(atPercentile: 99)),
            reference.map(formatRate) ?? "-", reference.map { formatPercent(rate / $0) } ?? "-",
        ]
    }

    /// An emulated device big enough for the load: each put of a lone writer takes whole
    /// blocks (its record plus unit and record headers), and a quarter more for what the
    /// zones' tails waste.
    private func benchGeometry() -> EmulatedGeometry {
        var geometry = EmulatedGeometry()
        geometry.blockSize = blockBytes
        geometry.zoneSizeBytes = 256 << 20
        geometry.zoneCapacityBytes = 256 << 20
        let perRecord = (valueBytes + 64 + blockBytes - 1) / blockBytes * blockBytes
        geometry.zoneCount = max(8, records * perRecord * 5 / 4 / (256 << 20) + 4)
        return geometry
    }
}
