import ArgumentParser
import Foundation
import ZoneKV

/// `zonekv-bench iopaths`: 4 KiB random-read IOPS and latency at queue depths 1 to 128 over
/// every way to reach an NVMe namespace, after the SNIA SDC 2022 talk on asynchronous NVMe
/// passthrough: blocking ioctls, ioctls from a thread pool, io_uring passthrough with and without
/// IOPOLL, fixed buffers and SQPOLL, and the kernel block layer.
struct IOPathsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iopaths",
        abstract: "4 KiB random-read IOPS and latency per I/O path (ioctl, thread pool, io_uring passthrough variants, block layer).",
        discussion: """
            Fills the first zone, then reads random blocks from it through each path at each queue
            depth, interleaving paths within every round so that noise hits them alike. Paths a
            device cannot take (the block layer where the kernel hides the namespace, IOPOLL
            without poll queues, the ioctl paths on an emulated device) are listed with the reason.
            Needs root on an NVMe device (/dev/ngXnY). The device's first zone is overwritten.
            """)

    @Option(help: "NVMe generic char device (/dev/ngXnY) or emulated device file (default: a new emulated device in /tmp, removed afterwards). Its first zone is overwritten.")
    var device: String?

    @Option(help: "Queue depths, comma separated.")
    var queueDepths: String = "1,2,4,8,16,32,64,128"

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1

    @Option(help: "Rounds; each measures every path at every depth once, and the table shows the mean.")
    var rounds: Int = 1

    @Option(help: "Write an SVG plot of IOPS and p99 latency against queue depth to this file.")
    var plot: String?

    func run() throws {
        let depths = try parseQueueDepths(queueDepths, example: "1,4,16,128")
        guard seconds > 0, rounds > 0 else { throw ValidationError("--seconds and --rounds must be positive") }
        let plotFile = try plot.map(PlotFile.init)

        var emulated = EmulatedGeometry()
        emulated.zoneCount = 4
        let path = try device ?? createScratchDevice(name: "iopaths", geometry: emulated)
        defer { if device == nil { unlink(path) } }
        let readZones = 0..<1
        let (geometry, backend) = try prepare(path, readZones: readZones)

        var results = IOPathResults(paths: IOPath.all, depths: depths)
        for round in 0..<rounds {
            for (index, ioPath) in IOPath.all.enumerated() where results.unavailable[index] == nil {
                let step = round * IOPath.all.count + index + 1
                FileHandle.standardError.write(Data("[\(step)/\(rounds * IOPath.all.count)] \(ioPath.name)\n".utf8))
                var depthAtFault: Int?
                do {
                    let zoned = try ZonedDevice.open(path, options: ioPath.options)
                    let workloads = DeviceWorkloads(device: zoned, readZones: readZones, appendZones: 0..<0)
                    for depth in depths where !(ioPath.isBlocking && depth > 1) {
                        depthAtFault = depth
                        let queue = try zoned.makeQueue(depth: depth, bufferBytes: geometry.blockSize)
                        _ = try workloads.timedRandomReads(queue: queue, seconds: min(0.2, seconds), seed: 1)
                        let measured = try workloads.timedRandomReads(queue: queue, seconds: seconds, seed: UInt64(round + 2))
                        results.add(measured, path: index, depth: depth)
                    }
                } catch let error as DeviceError {
                    // A path the device refuses outright is not measured at all; one that fails
                    // part way keeps what it measured, and the failure is reported as one.
                    let measuredAny = results.hasMeasurements(path: index)
                    results.unavailable[index] =
                        measuredAny ? "failed at queue depth \(depthAtFault ?? 0): \(error.message)" : "not measured: \(error.message)"
                }
            }
        }

        let blockLabel = geometry.blockSize >= 1024 ? "\(geometry.blockSize >> 10) KiB" : "\(geometry.blockSize) B"
        print("device \(path): \(blockLabel) random reads within zone 0, \(format1(seconds)) s per measurement, \(rounds) round(s)")
        print("\nIOPS by queue depth:")
        print(results.table { formatRate($0.operationsPerSecond) })
        print("\nlatency percentiles (us) by queue depth, p50 / p99 / p99.9:")
        print(results.table { recorder in
            [50.0, 99, 99.9].map { String(Int(recorder.microseconds(atPercentile: $0).rounded())) }.joined(separator: " / ")
        })
        print("\nmean latency (us) by queue depth:")
        print(results.table { format1($0.meanNanoseconds / 1000) })
        print("\nThe synchronous ioctl blocks its thread for every command: one in flight at any depth.")
        if backend == .emulated {
            print("On an emulated device the io_uring rows read its file with io_uring; the NVMe paths need /dev/ngXnY.")
        }
        for (index, reason) in results.unavailable.enumerated() {
            if let reason { print("\(IOPath.all[index].name): \(reason)") }
        }
        if let plotFile {
            try plotFile.write(IOPathsPlot(results: results).render())
            print("plot written to \(plotFile.path)")
        }
    }

    /// Fills the read zones through the default path; returns the device's geometry and backend.
    private func prepare(_ path: String, readZones: Range<Int>) throws -> (DeviceGeometry, DeviceBackend) {
        let zoned = try ZonedDevice.open(path)
        print("preparing: filling \(readZones.count) zone(s) of \(path) for random reads...")
        let workloads = DeviceWorkloads(device: zoned, readZones: readZones, appendZones: 0..<0)
        try workloads.prepareReadZones(queue: try zoned.makeQueue(depth: 32))
        return (zoned.geometry, zoned.backend)
    }
}
