import ArgumentParser
import ZoneKV
import ZoneKVShell

struct DeviceInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print a device's geometry and limits.")

    @OptionGroup var selection: DeviceSelection

    func run() throws {
        let device = try openDevice(selection.device)
        let geometry = device.geometry
        let rows: [(String, String)] = [
            ("device", device.path),
            ("backend", device.backend == .nvme ? "nvme (io_uring passthrough)" : "emulated (device file)"),
            ("block size", "\(geometry.blockSize) bytes"),
            ("capacity", "\(Formatting.bytes(geometry.capacityBytes)) (\(geometry.blockCount) blocks)"),
            ("zones", "\(geometry.zoneCount)"),
            ("zone size", "\(Formatting.bytes(geometry.zoneSizeBytes)) (\(geometry.zoneSize) blocks\(geometry.isZoneSizePowerOfTwo ? "" : ", not a power of two"))"),
            ("zone capacity", "\(Formatting.bytes(geometry.zoneCapacityBytes)) (\(geometry.zoneCapacity) blocks)"),
            ("max open zones", geometry.maxOpenZones.map(String.init) ?? "unlimited"),
            ("max active zones", geometry.maxActiveZones.map(String.init) ?? "unlimited"),
            ("append limit (ZASL)", Formatting.bytes(UInt64(geometry.maxAppendBytes))),
            ("max transfer (MDTS)", Formatting.bytes(UInt64(geometry.maxTransferBytes))),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows {
            print(Formatting.padded(name, width) + "  " + value)
        }
    }
}
