import Foundation
import Testing
import ZoneKVDevice

/// What only the emulated backend has: its file, persistence, fault injection and power loss.
@Suite
struct EmulatedDeviceTests {
    /// Creates a throwaway device file, runs `body` with its path, and removes it.
    private func withDeviceFile<Result>(
        _ geometry: EmulatedGeometry = .awkward, _ body: (String) throws -> Result
    ) throws -> Result {
        let path = temporaryDevicePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZonedDevice.createEmulated(at: path, geometry: geometry)
        return try body(path)
    }

    @Test("the default geometry is non-power-of-two with capacity below size")
    func defaultGeometry() throws {
        try withDeviceFile(EmulatedGeometry()) { path in
            let geometry = try ZonedDevice.open(path).geometry
            #expect(geometry.zoneSizeBytes == 96 << 20)
            #expect(geometry.zoneCapacityBytes == 80 << 20)
            #expect(!geometry.isZoneSizePowerOfTwo)
            // Sparse: a fresh 1.5 GiB device costs almost no disk.
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.size] as? Int ?? 0) > 1 << 30)
        }
    }

    @Test("zone state and data survive closing and reopening the device")
    func persistence() throws {
        try withDeviceFile { path in
            let data = pattern(seed: 1, count: 10_000)
            let address: BlockAddress
            do {
                let queue = try ZonedDevice.open(path).makeQueue()
                address = try queue.append(data, to: ZoneID(3))
                try queue.manage(.close, ZoneID(3))
                try queue.manage(.finish, ZoneID(4))
                try queue.manage(.open, ZoneID(5))
            }
            let queue = try ZonedDevice.open(path).makeQueue()
            #expect(try queue.describe(ZoneID(3)).state == .closed)
            #expect(try queue.describe(ZoneID(3)).writtenBlocks == 3)
            #expect(try queue.describe(ZoneID(4)).state == .full)
            #expect(try queue.describe(ZoneID(5)).state == .explicitlyOpened)
            #expect(Array(try queue.read(from: address, blockCount: 3).prefix(data.count)) == data)
            #expect(try queue.append([1], to: ZoneID(3)) == address.advanced(by: 3))
        }
    }

    @Test("a second open of the same device file is refused as busy")
    func exclusiveOpen() throws {
        try withDeviceFile { path in
            let first = try ZonedDevice.open(path)
            let error = deviceError { _ = try ZonedDevice.open(path) }
            #expect(error?.code == .deviceBusy)
            #expect(error?.message.contains("in use") == true)
            _ = first
        }
    }

    @Test("a planned fault fails exactly the chosen command, without effect")
    func faultInjection() throws {
        try withDeviceFile { path in
            let device = try ZonedDevice.open(path)
            let queue = try device.makeQueue()
            let emulator = try #require(device.emulator)
            emulator.failCommand(.append, occurrence: 3, with: .writeFault)
            _ = try queue.append([1], to: ZoneID(0))
            _ = try queue.append([2], to: ZoneID(0))
            let third = deviceError { _ = try queue.append([3], to: ZoneID(0)) }
            #expect(third?.code == .deviceStatus)
            #expect(third?.nvmeStatus == 0x280)
            #expect(try queue.describe(ZoneID(0)).writtenBlocks == 2, "the failed append wrote nothing")
            #expect(try queue.append([4], to: ZoneID(0)) == device.geometry.startBlock(of: ZoneID(0)).advanced(by: 2))

            emulator.failCommand(.read, with: .systemError(EIO))
            #expect(deviceError { _ = try queue.read(from: BlockAddress(0), blockCount: 1) }?.code == .systemError)
            emulator.failCommand(.zoneManagement, with: .zoneOffline)
            #expect(deviceError { try queue.manage(.reset, ZoneID(0)) }?.code == .zoneOffline)
            emulator.failCommand(.flush, occurrence: 2, with: .writeFault)
            emulator.clearFaults()
            try queue.flush()
            try queue.flush()
        }
    }

    @Test("degraded zones: read-only keeps reads, offline refuses everything")
    func degradedZones() throws {
        try withDeviceFile { path in
            let device = try ZonedDevice.open(path)
            let queue = try device.makeQueue()
            let emulator = try #require(device.emulator)
            let address = try queue.append(pattern(seed: 2, count: 4096), to: ZoneID(1))
            try emulator.degrade(ZoneID(1), to: .readOnly)
            #expect(try queue.describe(ZoneID(1)).state == .readOnly)
            #expect(try queue.read(from: address, blockCount: 1) == pattern(seed: 2, count: 4096))
            #expect(deviceError { _ = try queue.append([1], to: ZoneID(1)) }?.code == .zoneReadOnly)
            #expect(deviceError { try queue.manage(.reset, ZoneID(1)) }?.code == .invalidZoneStateTransition)
            try emulator.degrade(ZoneID(2), to: .offline)
            #expect(deviceError { _ = try queue.read(from: device.geometry.startBlock(of: ZoneID(2)), blockCount: 1) }?.code == .zoneOffline)
            #expect(deviceError { _ = try queue.append([1], to: ZoneID(2)) }?.code == .zoneOffline)
            #expect(deviceError { try emulator.degrade(ZoneID(3), to: .full) }?.code == .invalidArgument)
        }
    }

    @Test("power loss drops what was not flushed; flushed data survives")
    func powerLoss() throws {
        try withDeviceFile { path in
            let durable = pattern(seed: 3, count: 8192)
            let volatile = pattern(seed: 4, count: 4096)
            do {
                let queue = try ZonedDevice.open(path).makeQueue()
                _ = try queue.append(durable, to: ZoneID(0))
                try queue.flush()
                _ = try queue.append(volatile, to: ZoneID(0))
                _ = try queue.append(volatile, to: ZoneID(1))
                #expect(try queue.describe(ZoneID(0)).writtenBlocks == 3)
            }
            try ZonedDevice.open(path).emulator!.simulatePowerLoss()
            let queue = try ZonedDevice.open(path).makeQueue()
            let zone0 = try queue.describe(ZoneID(0))
            #expect(zone0.writtenBlocks == 2)
            #expect(zone0.state == .closed, "an open zone comes back closed after a power cycle")
            #expect(try queue.read(from: BlockAddress(0), blockCount: 2) == durable)
            #expect(try queue.read(from: BlockAddress(2), blockCount: 1).allSatisfy { $0 == 0 })
            #expect(try queue.describe(ZoneID(1)).state == .empty)
        }
    }

    @Test("power loss can tear the last write in half")
    func tornWrite() throws {
        try withDeviceFile { path in
            let data = pattern(seed: 5, count: 8 * 4096)
            do {
                let queue = try ZonedDevice.open(path).makeQueue()
                _ = try queue.append(pattern(seed: 6, count: 4096), to: ZoneID(0))
                try queue.flush()
                _ = try queue.append(data, to: ZoneID(0))
            }
            try ZonedDevice.open(path).emulator!.simulatePowerLoss(tearingLastWrite: true)
            let queue = try ZonedDevice.open(path).makeQueue()
            #expect(try queue.describe(ZoneID(0)).writtenBlocks == 1 + 4)
            #expect(try queue.read(from: BlockAddress(1), blockCount: 4) == Array(data.prefix(4 * 4096)))
            #expect(try queue.read(from: BlockAddress(5), blockCount: 4).allSatisfy { $0 == 0 })
        }
    }

    @Test("completed writes survive the process being killed")
    func survivesKill() throws {
        // The zone table is a shared mapping and data goes through the page cache, so nothing
        // needs the process to exit cleanly. A child process writes and dies by SIGKILL.
        try withDeviceFile { path in
            let helper = ProcessInfo.processInfo.environment["ZONEKV_TOOL"] ?? defaultToolPath()
            guard FileManager.default.isExecutableFile(atPath: helper) else {
                Issue.record("zonekv tool not found at \(helper); build it first")
                return
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: helper)
            process.arguments = ["device", "append", "--device", path, "--zone", "2", "--text", "survivor", "--then-kill"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let queue = try ZonedDevice.open(path).makeQueue()
            #expect(try queue.describe(ZoneID(2)).writtenBlocks == 1)
            let block = try queue.read(from: queue.geometry.startBlock(of: ZoneID(2)), blockCount: 1)
            #expect(Array(block.prefix(8)) == Array("survivor".utf8))
        }
    }

    @Test("bad device files and geometries get clear errors")
    func invalidInputs() throws {
        let path = temporaryDevicePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(deviceError { _ = try ZonedDevice.open(path) }?.code == .deviceNotFound)
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 8192))
        let garbage = deviceError { _ = try ZonedDevice.open(path) }
        #expect(garbage?.code == .invalidDeviceFile)
        #expect(garbage?.message.contains("zonekv device create") == true)
        #expect(deviceError { try ZonedDevice.createEmulated(at: path) }?.code == .invalidArgument, "refuses to overwrite")
        try FileManager.default.removeItem(atPath: path)

        var geometry = EmulatedGeometry()
        geometry.zoneCapacityBytes = geometry.zoneSizeBytes + 4096
        #expect(deviceError { try ZonedDevice.createEmulated(at: path, geometry: geometry) }?.code == .invalidArgument)
        geometry = EmulatedGeometry()
        geometry.maxOpenZones = 20
        geometry.maxActiveZones = 10
        #expect(deviceError { try ZonedDevice.createEmulated(at: path, geometry: geometry) }?.message.contains("cannot exceed") == true)
        geometry = EmulatedGeometry()
        geometry.zoneSizeBytes = 1000
        #expect(deviceError { try ZonedDevice.createEmulated(at: path, geometry: geometry) }?.code == .invalidArgument)
        #expect(!FileManager.default.fileExists(atPath: path))

        // A truncated device file is detected rather than misread.
        try ZonedDevice.createEmulated(at: path, geometry: .awkward)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 1 << 20)
        try handle.close()
        let truncated = deviceError { _ = try ZonedDevice.open(path) }
        #expect(truncated?.code == .invalidDeviceFile)
        #expect(truncated?.message.contains("truncated") == true)
    }

    @Test("queue misuse is refused with a clear error")
    func queueMisuse() throws {
        try withDeviceFile { path in
            let device = try ZonedDevice.open(path)
            #expect(deviceError { _ = try device.makeQueue(depth: 0) }?.code == .invalidArgument)
            #expect(deviceError { _ = try device.makeQueue(bufferBytes: 1000) }?.code == .invalidArgument)
            #expect(deviceError { _ = try ZonedDevice.open(path, options: DeviceOptions(polledCompletions: true)) }?.code == .invalidArgument)
            let queue = try device.makeQueue(depth: 2)
            let tags = [queue.reserveTag(), queue.reserveTag()]
            #expect(tags.allSatisfy { $0 != nil })
            #expect(queue.reserveTag() == nil)
            #expect(deviceError { try queue.flush() }?.code == .queueFull)
            for tag in tags { queue.releaseTag(tag!) }
            try queue.flush()
        }
    }
}

/// The `zonekv` executable next to the test bundle.
func defaultToolPath() -> String {
    let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
    let beside = bundle.appendingPathComponent("zonekv").path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zonekv").path
}
