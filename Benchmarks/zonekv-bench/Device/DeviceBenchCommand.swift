import ArgumentParser
import ZoneKV

/// `zonekv-bench device`: the zoned device layer against fio on the same device, same run.
struct DeviceBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Zone Append bandwidth and 4 KiB random-read IOPS through the device layer, beside fio.",
        discussion: """
            Measures at each queue depth, interleaving ZoneKV and fio runs (after a warm-up) so that
            noise hits both alike, and prints the ratio. With no --device it creates a throwaway
            emulated device. fio uses io_uring_cmd on /dev/ngXnY and io_uring on an emulated file.
            """)

    @OptionGroup var measurement: MeasurementOptions

    @Option(help: "Queue depths to measure, comma separated.")
    var queueDepths: String = "1,4,16,32"

    @Option(help: "Zones filled for random reads (with one, fio reads exactly the same range).")
    var readZones: Int = 1

    @Flag(help: "Register the device file with the rings.")
    var registeredFiles = false

    @Flag(help: "Use fixed (registered) buffers.")
    var fixedBuffers = false

    @Flag(help: "Poll for completions (IOPOLL).")
    var polledCompletions = false

    @Flag(help: "Poll submissions with a kernel thread (SQPOLL).")
    var polledSubmissions = false

    @Flag(help: "Emulated devices: bypass the page cache (O_DIRECT).")
    var directIO = false

    func run() throws {
        let depths = try parseQueueDepths(queueDepths, example: "1,4,16,32")
        guard readZones > 0 else { throw ValidationError("--read-zones must be positive") }
        let (seconds, rounds) = (measurement.seconds, measurement.rounds)
        let options = DeviceOptions(
            registeredFiles: registeredFiles, fixedBuffers: fixedBuffers, polledCompletions: polledCompletions,
            polledSubmissions: polledSubmissions, directIO: directIO)

        var emulated = EmulatedGeometry()
        emulated.zoneCount = max(8, readZones + 6)
        let path = try measurement.devicePath(creatingWith: emulated, name: "device")
        defer { measurement.removeTemporaryDevice(path) }

        let zoned = try ZonedDevice.open(path, options: options)
        let geometry = zoned.geometry
        let appendZoneCount = 2
        guard geometry.zoneCount >= readZones + 2 * appendZoneCount else {
            throw ValidationError("the device has \(geometry.zoneCount) zones; this benchmark needs \(readZones + 2 * appendZoneCount) (use fewer --read-zones)")
        }
        let workloads = DeviceWorkloads(
            device: zoned, readZones: 0..<readZones, appendZones: readZones..<(readZones + appendZoneCount))
        let fioZones = (readZones + appendZoneCount)..<(readZones + 2 * appendZoneCount)
        let fio = measurement.fioReference(for: zoned)

        print("device \(path): \(zoned.backend), zone size \(geometry.zoneSizeBytes >> 20) MiB, capacity \(geometry.zoneCapacityBytes >> 20) MiB, append limit \(geometry.maxAppendBytes >> 10) KiB")
        print("preparing: filling \(readZones) zones for random reads...")
        let setupQueue = try zoned.makeQueue(depth: 32)
        try workloads.prepareReadZones(queue: setupQueue)

        var table = TablePrinter(header: ["workload", "QD", "ZoneKV", fio == nil ? "fio" : "fio (same run)", "ZoneKV / fio"])
        let appendBytes = geometry.maxAppendBytes
        let blockLabel = geometry.blockSize >= 1024 ? "\(geometry.blockSize >> 10) KiB" : "\(geometry.blockSize) B"
        for depth in depths {
            let queue = try zoned.makeQueue(depth: depth)
            // Warm-up: page cache, rings and the device's own caches.
            _ = try workloads.randomReads(queue: queue, seconds: min(0.5, seconds), seed: 1)
            var ours = (reads: [Double](), appends: [Double]())
            var theirs = (reads: [Double](), writes: [Double]())
            for round in 0..<rounds {
                ours.reads.append(try workloads.randomReads(queue: queue, seconds: seconds, seed: UInt64(round + 2)))
                if let fio { theirs.reads.append(try fio.randomReads(zones: workloads.readZones, depth: depth, seconds: seconds)) }
                ours.appends.append(try workloads.appendBandwidth(queue: queue, seconds: seconds))
                if let fio {
                    theirs.writes.append(try fio.sequentialWrites(zones: fioZones, depth: depth, blockBytes: appendBytes, seconds: seconds))
                }
            }
            let readOurs = mean(ours.reads)
            let readTheirs = theirs.reads.isEmpty ? nil : mean(theirs.reads)
            table.add([
                "\(blockLabel) random read, IOPS", "\(depth)", formatRate(readOurs), readTheirs.map(formatRate) ?? "-",
                readTheirs.map { formatPercent(readOurs / $0) } ?? "-",
            ])
            let appendOurs = mean(ours.appends) / 1_048_576
            let writeTheirs = theirs.writes.isEmpty ? nil : mean(theirs.writes) / 1_048_576
            let fioLabel = zoned.backend == .nvme ? " (fio: writes, QD1)" : " (fio: writes)"
            table.add([
                "\(appendBytes >> 10) KiB Zone Append, MiB/s" + fioLabel, "\(depth)", format1(appendOurs),
                writeTheirs.map(format1) ?? "-", writeTheirs.map { formatPercent(appendOurs / $0) } ?? "-",
            ])
        }
        print(table.render())
    }

    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
}

#if canImport(Glibc)
import Glibc
#endif
