import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ZoneKV

/// fio, run on the same device in the same run, as the reference the device layer is compared
/// with: its `io_uring_cmd` engine on an NVMe generic device, its `io_uring` engine on an
/// emulated device's file with the same buffering the emulated backend uses.
struct FioReference {
    let executable: String
    private let path: String
    private let geometry: DeviceGeometry
    private let backend: DeviceBackend
    private let options: DeviceOptions
    /// Where an emulated device's blocks start in its file; `nil` for a real device.
    private let emulatedDataOffset: UInt64?

    /// A reference for `device`. It keeps only the device's description, not the device, so
    /// the device may be closed and reopened (by a store) while fio runs on its path.
    init(device: ZonedDevice, executable: String) {
        self.executable = executable
        path = device.path
        geometry = device.geometry
        backend = device.backend
        options = device.options
        emulatedDataOffset = device.emulator?.fileOffset(of: BlockAddress(0))
    }

    /// The fio on the PATH, or nil.
    static func locate() -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/fio" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Byte range of a run of zones as fio addresses the file or device. For one zone it is
    /// exactly the zone's writable capacity, the range ZoneKV reads; across several zones it
    /// also spans the gaps between capacity and zone size.
    private func byteRange(zones: Range<Int>) -> (offset: UInt64, size: UInt64) {
        let first = geometry.startBlock(of: ZoneID(zones.lowerBound))
        let start = (emulatedDataOffset ?? 0) + first.rawValue * UInt64(geometry.blockSize)
        return (start, UInt64(zones.count - 1) * geometry.zoneSizeBytes + geometry.zoneCapacityBytes)
    }

    private var engineArguments: [String] {
        var arguments: [String]
        switch backend {
        case .nvme:
            // Non-vectored commands, as ZoneKV sends them.
            arguments = ["--ioengine=io_uring_cmd", "--cmd_type=nvme", "--nonvectored=1"]
            if options.polledCompletions { arguments.append("--hipri=1") }
        case .emulated:
            arguments = ["--ioengine=io_uring", "--direct=\(options.directIO ? 1 : 0)"]
            if options.polledCompletions { arguments.append("--hipri=1") }
        }
        if options.fixedBuffers { arguments.append("--fixedbufs=1") }
        if options.registeredFiles { arguments.append("--registerfiles=1") }
        if options.polledSubmissions { arguments.append("--sqthread_poll=1") }
        return arguments
    }

    /// Random reads of `blockBytes` (one block by default) over `zones` at `depth`; returns IOPS.
    func randomReads(zones: Range<Int>, depth: Int, seconds: Double, blockBytes: Int? = nil) throws -> Double {
        let (offset, size) = byteRange(zones: zones)
        let result = try run([
            "--rw=randread", "--bs=\(blockBytes ?? geometry.blockSize)", "--iodepth=\(depth)",
            "--offset=\(offset)", "--size=\(size)", "--norandommap", "--randrepeat=0",
        ], seconds: seconds)
        return result.readIOPS
    }

    /// Sequential writes of `blockBytes` over `zones`; returns bytes per second. On an NVMe
    /// device fio writes zones with regular writes (zonemode=zbd), which must stay at depth 1.
    func sequentialWrites(zones: Range<Int>, depth: Int, blockBytes: Int, seconds: Double) throws -> Double {
        // Whole zones: fio's zoned mode works in units of zones.
        let (offset, _) = byteRange(zones: zones)
        let size = UInt64(zones.count) * geometry.zoneSizeBytes
        var arguments = ["--rw=write", "--bs=\(blockBytes)", "--offset=\(offset)", "--size=\(size)"]
        if backend == .nvme {
            arguments += ["--zonemode=zbd", "--iodepth=1"]
        } else {
            arguments += ["--iodepth=\(depth)"]
        }
        return try run(arguments, seconds: seconds).writeBytesPerSecond
    }

    /// Sequential writes of `blockBytes` at queue depth 1 as directly as fio can: `psync`
    /// (pwrite) on an emulated device's file, zoned writes through io_uring_cmd on an NVMe
    /// device. Returns writes per second: the device's own rate for one small write at a time.
    func singleWrites(zones: Range<Int>, blockBytes: Int, seconds: Double) throws -> Double {
        guard backend == .emulated else {
            return try sequentialWrites(zones: zones, depth: 1, blockBytes: blockBytes, seconds: seconds) / Double(blockBytes)
        }
        let (offset, _) = byteRange(zones: zones)
        let size = UInt64(zones.count) * geometry.zoneSizeBytes
        let result = try run(
            ["--rw=write", "--bs=\(blockBytes)", "--offset=\(offset)", "--size=\(size)", "--ioengine=psync"],
            seconds: seconds, engine: false)
        return result.writeBytesPerSecond / Double(blockBytes)
    }

    private struct Result {
        var readIOPS: Double
        var writeBytesPerSecond: Double
    }

    private func run(_ workload: [String], seconds: Double, engine: Bool = true) throws -> Result {
        let outputPath = "/tmp/zonekv-bench-fio-\(getpid()).json"
        defer { unlink(outputPath) }
        let arguments =
            ["--name=reference", "--filename=\(path)", "--thread", "--time_based",
             "--runtime=\(max(1, Int(seconds.rounded())))s", "--output-format=json", "--output=\(outputPath)",
             // Same page cache state as the ZoneKV run, as the emulated backend is buffered.
             "--invalidate=0"] + (engine ? engineArguments : []) + workload
        let (messages, status) = runShellCommand(([executable] + arguments).map(shellQuoted).joined(separator: " "))
        guard status == 0,
            let data = FileManager.default.contents(atPath: outputPath),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let job = (json["jobs"] as? [[String: Any]])?.first,
            let read = job["read"] as? [String: Any], let write = job["write"] as? [String: Any]
        else {
            throw BenchError("fio failed (exit \(status)): \(messages.prefix(2000))")
        }
        let errorCount = job["error"] as? Int ?? 0
        guard errorCount == 0 else { throw BenchError("fio reported error \(errorCount): \(messages.prefix(2000))") }
        return Result(
            readIOPS: (read["iops"] as? Double) ?? Double(read["iops"] as? Int ?? 0),
            writeBytesPerSecond: Double((write["bw_bytes"] as? Int) ?? 0))
    }
}

/// A benchmark failure with a message for the user.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
