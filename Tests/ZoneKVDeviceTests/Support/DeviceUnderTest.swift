import Foundation
import Testing
import ZoneKVDevice

/// A device the conformance suite runs against: an emulated device file made fresh for each
/// test, or a real device path given in `ZONEKV_TEST_DEVICES` (e.g. `/dev/ng0n1,/dev/ng0n2` in
/// the guest), whose zones are reset before each test.
struct DeviceUnderTest: Sendable, CustomTestStringConvertible {
    enum Source: Sendable {
        case emulated(EmulatedGeometry)
        case path(String)
    }

    let name: String
    let source: Source

    var testDescription: String { name }

    /// The devices of this run: the real ones named in `ZONEKV_TEST_DEVICES` if set, otherwise
    /// emulated ones shaped like real drives (small, so tests stay fast).
    static let all: [DeviceUnderTest] = {
        if let list = ProcessInfo.processInfo.environment["ZONEKV_TEST_DEVICES"], !list.isEmpty {
            return list.split(separator: ",").map { DeviceUnderTest(name: String($0), source: .path(String($0))) }
        }
        return [
            DeviceUnderTest(name: "emulated 3 MiB zones, 2.5 MiB capacity, 4 open / 8 active", source: .emulated(.awkward)),
            DeviceUnderTest(name: "emulated 2 MiB zones, full capacity, 14 open / 14 active, 80 zones", source: .emulated(.powerOfTwo)),
        ]
    }()

    /// Whether real devices are under test (they keep state between tests and need serial use).
    static var usesRealDevices: Bool {
        all.contains { if case .path = $0.source { true } else { false } }
    }

    /// Opens the device with every zone empty and runs `body` with it.
    func withDevice<Result>(
        options: DeviceOptions = DeviceOptions(), _ body: (ZonedDevice) throws -> Result
    ) throws -> Result {
        switch source {
        case let .emulated(geometry):
            let path = temporaryDevicePath()
            defer { try? FileManager.default.removeItem(atPath: path) }
            try ZonedDevice.createEmulated(at: path, geometry: geometry)
            let device = try ZonedDevice.open(path, options: options)
            return try body(device)
        case let .path(path):
            let device = try ZonedDevice.open(path, options: options)
            let queue = try device.makeQueue(depth: 1)
            try queue.manageAll(.reset)
            return try body(device)
        }
    }
}

/// A unique path for a throwaway emulated device.
func temporaryDevicePath() -> String {
    let directory = ProcessInfo.processInfo.environment["ZONEKV_TEST_DIRECTORY"] ?? NSTemporaryDirectory()
    return (directory as NSString).appendingPathComponent("zonekv-test-\(UUID().uuidString).zns")
}

extension EmulatedGeometry {
    /// Like QEMU's first guest namespace, scaled down: zone size not a power of two, capacity
    /// below size, small open and active limits.
    static var awkward: EmulatedGeometry {
        var geometry = EmulatedGeometry()
        geometry.zoneSizeBytes = 3 << 20
        geometry.zoneCapacityBytes = 5 << 19
        geometry.zoneCount = 24
        geometry.maxOpenZones = 4
        geometry.maxActiveZones = 8
        geometry.maxAppendBytes = 128 << 10
        geometry.maxTransferBytes = 512 << 10
        return geometry
    }

    /// Like the guest's second namespace: power-of-two zones at full capacity, more zones than
    /// one 4 KiB zone report holds.
    static var powerOfTwo: EmulatedGeometry {
        var geometry = EmulatedGeometry()
        geometry.zoneSizeBytes = 2 << 20
        geometry.zoneCapacityBytes = 2 << 20
        geometry.zoneCount = 80
        geometry.maxOpenZones = 14
        geometry.maxActiveZones = 14
        geometry.maxAppendBytes = 64 << 10
        geometry.maxTransferBytes = 256 << 10
        return geometry
    }
}
