import ZoneKV

/// What the device under a YCSB run can do at the run's queue depth: 4 KiB random reads and
/// Zone Append bandwidth, measured on the same device after the engine closed it, so a report
/// can state ZoneKV's throughput as a share of it. It overwrites zones.
struct DeviceBaseline {
    var readsPerSecond: Double
    var appendBytesPerSecond: Double
    var queueDepth: Int

    static func measure(path: String, queueDepth: Int, seconds: Double = 2) throws -> DeviceBaseline {
        let device = try ZonedDevice.open(path)
        let zones = device.geometry.zoneCount
        let workloads = DeviceWorkloads(device: device, readZones: 0..<max(1, min(4, zones / 2)), appendZones: zones / 2..<min(zones, zones / 2 + 4))
        let setup = try device.makeQueue(depth: 32)
        try workloads.prepareReadZones(queue: setup)
        let queue = try device.makeQueue(depth: queueDepth)
        _ = try workloads.randomReads(queue: queue, seconds: 0.3, seed: 1)  // warm-up
        let reads = try workloads.randomReads(queue: queue, seconds: seconds, seed: 2)
        let appends = try workloads.appendBandwidth(queue: queue, seconds: seconds)
        return DeviceBaseline(readsPerSecond: reads, appendBytesPerSecond: appends, queueDepth: queueDepth)
    }

    /// The baseline, and ZoneKV's run as a share of it: reads (operations per second against
    /// read IOPS) and the load (record bytes per second against append bandwidth).
    func report(load: EngineResult, recordBytes: Int) -> String {
        var lines = [
            "device baseline at queue depth \(queueDepth): 4 KiB random reads \(formatRate(readsPerSecond)) IOPS, Zone Append \(format1(appendBytesPerSecond / 1_048_576)) MiB/s"
        ]
        if let (measurements, seconds) = load.load {
            let bytesPerSecond = Double(measurements.operations * recordBytes) / max(seconds, 1e-9)
            lines.append("ZoneKV load: \(format1(bytesPerSecond / 1_048_576)) MiB/s of records, \(formatPercent(bytesPerSecond / appendBytesPerSecond)) of the append bandwidth")
        }
        if let (measurements, seconds) = load.run {
            let perSecond = Double(measurements.operations) / max(seconds, 1e-9)
            lines.append("ZoneKV run: \(formatRate(perSecond)) operations/s, \(formatPercent(perSecond / readsPerSecond)) of the device's read IOPS (gets served from the cache count too)")
        }
        return lines.joined(separator: "\n")
    }
}
