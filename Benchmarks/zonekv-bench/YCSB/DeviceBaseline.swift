import ZoneKV

/// What the device under a YCSB run can do at the run's queue depth: 4 KiB random reads,
/// Zone Appends of one record's size (what an insert that waits for its write costs), and Zone
/// Append bandwidth, measured on the same device after the engine closed it, so a report can
/// state ZoneKV's throughput as a share of it. It overwrites zones.
struct DeviceBaseline {
    var readsPerSecond: Double
    /// Zone Appends per second of `recordBlocks` blocks each.
    var recordAppendsPerSecond: Double
    var recordBlocks: Int
    var appendBytesPerSecond: Double
    var queueDepth: Int
    /// Bytes of one random read: 4 KiB, or one block where blocks are larger.
    var readBytes: Int

    static func measure(path: String, queueDepth: Int, recordBytes: Int, seconds: Double = 2) throws -> DeviceBaseline {
        let device = try ZonedDevice.open(path)
        let geometry = device.geometry
        let zones = geometry.zoneCount
        let workloads = DeviceWorkloads(device: device, readZones: 0..<max(1, min(4, zones / 2)), appendZones: zones / 2..<min(zones, zones / 2 + 4))
        let setup = try device.makeQueue(depth: 32)
        try workloads.prepareReadZones(queue: setup)
        let queue = try device.makeQueue(depth: queueDepth)
        // 4 KiB reads, the usual measure of a device, whatever its block size.
        let readBlocks = max(1, 4096 / geometry.blockSize)
        _ = try workloads.randomReads(queue: queue, seconds: 0.3, seed: 1, blocksEach: readBlocks)  // warm-up
        let reads = try workloads.randomReads(queue: queue, seconds: seconds, seed: 2, blocksEach: readBlocks)
        let recordBlocks = max(1, geometry.blocks(forBytes: recordBytes))
        let recordBytesPerSecond = try workloads.appendBandwidth(queue: queue, seconds: seconds, blocksEach: recordBlocks)
        let appends = try workloads.appendBandwidth(queue: queue, seconds: seconds)
        return DeviceBaseline(
            readsPerSecond: reads, recordAppendsPerSecond: recordBytesPerSecond / Double(recordBlocks * geometry.blockSize),
            recordBlocks: recordBlocks, appendBytesPerSecond: appends, queueDepth: queueDepth, readBytes: readBlocks * geometry.blockSize)
    }

    /// The baseline, and ZoneKV's run as a share of it: the load's inserts against record-size
    /// appends (and its bytes against append bandwidth), the run's operations against read IOPS.
    func report(load: EngineResult, recordBytes: Int) -> String {
        var lines = [
            "device baseline at queue depth \(queueDepth): \(readBytes >= 1024 ? "\(readBytes >> 10) KiB" : "\(readBytes)-byte") random reads \(formatRate(readsPerSecond)) IOPS, \(recordBlocks)-block Zone Appends \(formatRate(recordAppendsPerSecond))/s, Zone Append \(format1(appendBytesPerSecond / 1_048_576)) MiB/s"
        ]
        if let (measurements, seconds) = load.load {
            let insertsPerSecond = Double(measurements.operations) / max(seconds, 1e-9)
            let bytesPerSecond = insertsPerSecond * Double(recordBytes)
            lines.append(
                "ZoneKV load: \(formatRate(insertsPerSecond)) inserts/s, \(formatPercent(insertsPerSecond / recordAppendsPerSecond)) of the device's record-size appends; \(format1(bytesPerSecond / 1_048_576)) MiB/s of records, \(formatPercent(bytesPerSecond / appendBytesPerSecond)) of the append bandwidth")
        }
        if let (measurements, seconds) = load.run {
            let perSecond = Double(measurements.operations) / max(seconds, 1e-9)
            lines.append("ZoneKV run: \(formatRate(perSecond)) operations/s, \(formatPercent(perSecond / readsPerSecond)) of the device's read IOPS (gets served from the cache count too)")
        }
        return lines.joined(separator: "\n")
    }
}
